import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows that can never be published.
 *
 * - `outbox.message_bytes`: the size of the Kafka message the row becomes (key + value + headers),
 *   measured at append, so the relay can fill a publish request up to its byte limit without
 *   reading every envelope. NULL for rows written otherwise (the relay then measures the JSON).
 * - `outbox_parked`: rows too large for one Kafka message. The relay moves such a row here, in
 *   the transaction that removes it from `outbox`, and goes on with the rows behind it. The event
 *   itself stays in `events`; to send it after all (e.g. once the broker's message.max.bytes and
 *   the relay's maxBatchBytes were raised):
 *     WITH moved AS (DELETE FROM outbox_parked WHERE position = <position> RETURNING *)
 *     INSERT INTO outbox (event_id, topic, message_key, envelope)
 *     SELECT event_id, topic, message_key, envelope FROM moved;
 *   (it is then published after the rows queued meanwhile, i.e. after later events of its stream).
 */
export class OutboxSizeAndParking1764000000002 implements MigrationInterface {
  name = 'OutboxSizeAndParking1764000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE outbox ADD COLUMN message_bytes integer');
    await q.query(`
      CREATE TABLE outbox_parked (
        position      bigint      PRIMARY KEY,
        event_id      uuid        NOT NULL,
        topic         text        NOT NULL,
        message_key   text        NOT NULL,
        envelope      jsonb       NOT NULL,
        message_bytes integer     NOT NULL,
        reason        text        NOT NULL,
        queued_at     timestamptz NOT NULL,
        parked_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE outbox_parked');
    await q.query('ALTER TABLE outbox DROP COLUMN message_bytes');
  }
}

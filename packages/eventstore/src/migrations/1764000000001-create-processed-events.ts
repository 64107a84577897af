import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which events each consumer of this database has applied (idempotent consumers). */
export class CreateProcessedEvents1764000000001 implements MigrationInterface {
  name = 'CreateProcessedEvents1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE processed_events (
        consumer     text        NOT NULL,
        event_id     uuid        NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE processed_events');
  }
}

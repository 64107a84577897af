import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store and its transactional outbox.
 *
 * - `events` is append-only: one row per event, unique (stream_id, version) so two writers at
 *   the same expected version cannot both succeed (the loser gets 23505 → ConcurrencyError).
 * - `outbox` holds the envelopes still to be published. The append writes it in the same
 *   transaction; the relay deletes rows once Kafka acknowledged them, so a row whose transaction
 *   commits late is simply picked up by a later poll and never skipped.
 */
export class CreateEventStore1764000000000 implements MigrationInterface {
  name = 'CreateEventStore1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        stream_id       text        NOT NULL,
        stream_type     text        NOT NULL,
        version         integer     NOT NULL CHECK (version > 0),
        event_id        uuid        NOT NULL,
        type            text        NOT NULL,
        schema_version  integer     NOT NULL,
        data            jsonb       NOT NULL,
        metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
        occurred_at     timestamptz NOT NULL,
        CONSTRAINT events_stream_version_uq UNIQUE (stream_id, version),
        CONSTRAINT events_event_id_uq UNIQUE (event_id)
      )`);
    await q.query(`
      CREATE TABLE outbox (
        position     bigserial   PRIMARY KEY,
        event_id     uuid        NOT NULL,
        topic        text        NOT NULL,
        message_key  text        NOT NULL,
        envelope     jsonb       NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    // Append-only: refuse UPDATE and DELETE on events at the database level.
    await q.query(`
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events is append-only' USING ERRCODE = 'restrict_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE outbox');
    await q.query('DROP TRIGGER events_no_update_delete ON events');
    await q.query('DROP TABLE events');
    await q.query('DROP FUNCTION events_append_only()');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots of aggregates whose streams grow long (see store/snapshots.ts): the state folded up to
 * `version`, under the name of the state's shape. A cache of the events, never a source of truth:
 * `DELETE FROM stream_snapshots` is always safe (the next command folds from the first event and
 * writes a new one).
 */
export class StreamSnapshots1764000000004 implements MigrationInterface {
  name = 'StreamSnapshots1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stream_snapshots (
        stream_id text        NOT NULL,
        name      text        NOT NULL,
        version   integer     NOT NULL CHECK (version > 0),
        state     jsonb       NOT NULL,
        taken_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, name)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE stream_snapshots');
  }
}

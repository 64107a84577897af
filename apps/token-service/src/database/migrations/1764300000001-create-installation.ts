import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A random id of this database, made once. The consumer group of token-service's reactions is
 * named after it: the directory and processed_events live in this database, so the group's
 * committed offsets must belong to it too — a fresh database (a new installation, a test, a
 * rebuild) gets a fresh group and replays the other services' topics from the beginning.
 */
export class CreateInstallation1764300000001 implements MigrationInterface {
  name = 'CreateInstallation1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE installation (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL DEFAULT now(), singleton boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton))',
    );
    await q.query('INSERT INTO installation DEFAULT VALUES');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE installation');
  }
}

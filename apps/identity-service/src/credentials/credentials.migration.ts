import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Password credentials and login throttling. Deliberately outside the event store: a password or
 * its hash must never appear in an event.
 *
 * - `credentials`: one argon2id PHC string per user (the user itself is event-sourced elsewhere;
 *   no foreign key, the users read model is eventually consistent).
 * - `login_attempts`: attempt counters per key within a fixed window (failures, and attempts
 *   reserved while their password is being verified — login-attempts.ts), and the lock they led
 *   to. Keys are `user:<sha256 hex of the lower-cased e-mail>` (no e-mail in clear, and counted
 *   whether or not the user exists) and `addr:<client address>`. Rows are pruned once their
 *   window has passed and their lock has ended.
 */
export class CreateCredentials1764100000000 implements MigrationInterface {
  name = 'CreateCredentials1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credentials (
        user_id       uuid        PRIMARY KEY,
        password_hash text        NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE login_attempts (
        key               text        PRIMARY KEY,
        failures          int         NOT NULL,
        window_started_at timestamptz NOT NULL,
        locked_until      timestamptz NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE login_attempts');
    await q.query('DROP TABLE credentials');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The console's login sessions and the logins under way. Nothing here is usable on its own: a
 * session is found by the SHA-256 of its id (the cookie holds the id), its tokens are sealed
 * under SESSION_KEY, and a login's PKCE verifier likewise.
 */
export class ConsoleSessions1765000000000 implements MigrationInterface {
  name = 'ConsoleSessions1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE console_sessions (
        id_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL,
        user_label text NOT NULL,
        sealed_tokens bytea NOT NULL,
        access_expires_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX console_sessions_user ON console_sessions (user_id)');
    await q.query('CREATE INDEX console_sessions_expiry ON console_sessions (expires_at)');
    await q.query(`
      CREATE TABLE console_logins (
        state_hash bytea PRIMARY KEY,
        sealed_verifier bytea NOT NULL,
        return_to text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE console_logins');
    await q.query('DROP TABLE console_sessions');
  }
}

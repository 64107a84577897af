import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The authorization server's browser state, server-side:
 * - `login_sessions`: who is signed in to the authorization server (expiring, revocable, listed);
 *   the cookie holds a random secret, the table only its SHA-256.
 * - `authorization_interactions`: one authorization request between /oauth/authorize and the
 *   answer to the client (login, consent), bound to the browser by a cookie and to every POST by a
 *   CSRF token; id and CSRF token are kept as SHA-256 only; single use, 10 minutes.
 */
export class LoginSessions1764400000002 implements MigrationInterface {
  name = 'LoginSessions1764400000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_sessions (
        session_hash text        PRIMARY KEY,
        user_id      text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        revoked_at   timestamptz NULL,
        user_agent   text        NULL
      )`);
    await q.query('CREATE INDEX login_sessions_user_idx ON login_sessions (user_id) WHERE revoked_at IS NULL');
    await q.query(`
      CREATE TABLE authorization_interactions (
        id_hash      text        PRIMARY KEY,
        request      jsonb       NOT NULL,
        csrf_hash    text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL,
        completed_at timestamptz NULL
      )`);
    await q.query('CREATE INDEX authorization_interactions_expires_idx ON authorization_interactions (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE authorization_interactions');
    await q.query('DROP TABLE login_sessions');
  }
}

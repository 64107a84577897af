import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pushed authorization requests (RFC 9126), login session ids, and the account names the consent page shows.
 *
 * - `directory_applications.require_pushed_authorization_requests`: events from before the
 *   setting carry no field and mean false, the default of existing rows.
 * - `pushed_authorization_requests`: a pushed request's parameters (never a client secret) under
 *   the SHA-256 of its `request_uri`, one-time and short-lived.
 * - `login_sessions.session_id`: a public id for listing and revoking a session (the key is the
 *   SHA-256 of the cookie's secret, which is not shown to anyone).
 * - `directory_accounts`: each account's display name, from AccountCreated. Those events were
 *   consumed before and not kept, so the installation gets a new id, which names the reactions'
 *   consumer group: the next start replays the directory topics from the beginning (safe, as in
 *   OAuthClients1764400000000: every projection is keyed and version-guarded, reactions check the
 *   directory's version).
 */
export class PushedRequestsAndAccountNames1764500000000 implements MigrationInterface {
  name = 'PushedRequestsAndAccountNames1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE directory_applications ADD COLUMN require_pushed_authorization_requests boolean NOT NULL DEFAULT false',
    );
    await q.query(`
      CREATE TABLE pushed_authorization_requests (
        request_uri_hash text        PRIMARY KEY,
        client_id        text        NOT NULL,
        parameters       jsonb       NOT NULL,
        expires_at       timestamptz NOT NULL,
        used_at          timestamptz NULL
      )`);
    await q.query('CREATE INDEX pushed_authorization_requests_expiry ON pushed_authorization_requests (expires_at)');
    await q.query('ALTER TABLE login_sessions ADD COLUMN session_id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid()');
    await q.query(`
      CREATE TABLE directory_accounts (
        account_id text PRIMARY KEY,
        name       text NOT NULL
      )`);
    await q.query('UPDATE installation SET id = gen_random_uuid()');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE directory_accounts');
    await q.query('ALTER TABLE login_sessions DROP COLUMN session_id');
    await q.query('DROP TABLE pushed_authorization_requests');
    await q.query('ALTER TABLE directory_applications DROP COLUMN require_pushed_authorization_requests');
  }
}

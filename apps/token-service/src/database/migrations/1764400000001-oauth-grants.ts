import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The authorization server's tables:
 * - `oauth_grants`, the read model of `authorization` and `client` grants from token-service's own
 *   events (who authorized which application, for what, when; revoked when): remembered consent,
 *   Access & Security, the administrators' grant listing.
 * - `authorization_codes`: a code is a short-lived secret and no event; only its SHA-256 is kept,
 *   with what it is bound to (client, exact redirect URI, PKCE challenge, grant, scopes). Redeeming
 *   locks the row, so of N concurrent redemptions one wins and the others see it consumed.
 */
export class OAuthGrants1764400000001 implements MigrationInterface {
  name = 'OAuthGrants1764400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oauth_grants (
        grant_id      text        PRIMARY KEY,
        kind          text        NOT NULL CHECK (kind IN ('authorization', 'client')),
        user_id       text        NULL,
        client_id     text        NOT NULL,
        scopes        text[]      NOT NULL,
        account_ids   text[]      NOT NULL,
        created_at    timestamptz NOT NULL,
        revoked_at    timestamptz NULL,
        revoke_reason text        NULL,
        last_used_at  timestamptz NULL
      )`);
    await q.query(
      'CREATE INDEX oauth_grants_user_client_idx ON oauth_grants (user_id, client_id) WHERE revoked_at IS NULL',
    );
    await q.query(`
      CREATE TABLE authorization_codes (
        code_hash      text        PRIMARY KEY,
        grant_id       text        NOT NULL,
        client_id      text        NOT NULL,
        user_id        text        NOT NULL,
        redirect_uri   text        NOT NULL,
        redirect_uri_given boolean NOT NULL,
        code_challenge text        NOT NULL,
        scopes         text[]      NOT NULL,
        expires_at     timestamptz NOT NULL,
        consumed_at    timestamptz NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX authorization_codes_expires_idx ON authorization_codes (expires_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE authorization_codes');
    await q.query('DROP TABLE oauth_grants');
  }
}

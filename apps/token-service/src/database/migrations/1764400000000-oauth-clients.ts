import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the authorization server needs of each application (issue 13), projected from
 * applications.events.v1 beside its status: the consent page's name, the client type, the exact
 * redirect URIs, grant types, scope ceiling, accounts, token lifetimes, first-party flag and the
 * secret hashes (the current one, and the previous one until its overlap ends). Hashes only:
 * the registry never publishes a secret.
 *
 * Rows projected before had only status and version, and the projection ignores events at or
 * below a row's version. So the rows are dropped and the installation gets a new id, which names
 * the reactions' consumer group: the next start replays the directory topics from the beginning
 * into the new columns. The reactions are safe to replay (a deactivation or disable checks the
 * directory's version; grants revoked stay revoked), and processed_events is keyed by group.
 */
export class OAuthClients1764400000000 implements MigrationInterface {
  name = 'OAuthClients1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE directory_applications
        ADD COLUMN name                        text        NULL,
        ADD COLUMN client_type                 text        NULL CHECK (client_type IN ('confidential', 'public')),
        ADD COLUMN redirect_uris               text[]      NULL,
        ADD COLUMN grant_types                 text[]      NULL,
        ADD COLUMN allowed_scopes              text[]      NULL,
        ADD COLUMN account_ids                 text[]      NULL,
        ADD COLUMN access_token_ttl_seconds    integer     NULL,
        ADD COLUMN refresh_token_ttl_seconds   integer     NULL,
        ADD COLUMN first_party                 boolean     NULL,
        ADD COLUMN secret_hash                 text        NULL,
        ADD COLUMN previous_secret_hash        text        NULL,
        ADD COLUMN previous_secret_valid_until timestamptz NULL`);
    await q.query('DELETE FROM directory_applications');
    await q.query('UPDATE installation SET id = gen_random_uuid()');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE directory_applications
        DROP COLUMN name, DROP COLUMN client_type, DROP COLUMN redirect_uris, DROP COLUMN grant_types,
        DROP COLUMN allowed_scopes, DROP COLUMN account_ids, DROP COLUMN access_token_ttl_seconds,
        DROP COLUMN refresh_token_ttl_seconds, DROP COLUMN first_party, DROP COLUMN secret_hash,
        DROP COLUMN previous_secret_hash, DROP COLUMN previous_secret_valid_until`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The applications read model, updated in the same transaction as each append
 * (read-model/applications.projection.ts); rebuildable from the event store. It holds no
 * secret and no secret hash (the hash lives only in the events token-service consumes).
 */
export class CreateApplicationsReadModel1764200000000 implements MigrationInterface {
  name = 'CreateApplicationsReadModel1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE applications (
        client_id                   text        PRIMARY KEY,
        owner_account_id            text        NOT NULL,
        name                        text        NOT NULL,
        description                 text        NULL,
        client_type                 text        NOT NULL CHECK (client_type IN ('confidential', 'public')),
        redirect_uris               text[]      NOT NULL,
        grant_types                 text[]      NOT NULL,
        allowed_scopes              text[]      NOT NULL,
        account_ids                 text[]      NOT NULL,
        access_token_ttl_seconds    integer     NOT NULL,
        refresh_token_ttl_seconds   integer     NOT NULL,
        first_party                 boolean     NOT NULL,
        status                      text        NOT NULL CHECK (status IN ('enabled', 'disabled')),
        secret_rotated_at           timestamptz NULL,
        previous_secret_valid_until timestamptz NULL,
        created_at                  timestamptz NOT NULL,
        updated_at                  timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX applications_owner_idx ON applications (owner_account_id, created_at, client_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE applications');
  }
}

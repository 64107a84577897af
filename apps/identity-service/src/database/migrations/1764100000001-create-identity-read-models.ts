import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * identity-service's read models, updated in the same transaction as each append
 * (read-model/identity.projection.ts). They can be rebuilt from the event store.
 */
export class CreateIdentityReadModels1764100000001 implements MigrationInterface {
  name = 'CreateIdentityReadModels1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        account_id        uuid        PRIMARY KEY,
        name              text        NOT NULL,
        kind              text        NOT NULL CHECK (kind IN ('directory', 'standard')),
        parent_account_id uuid        NULL REFERENCES accounts (account_id),
        created_at        timestamptz NOT NULL
      )`);
    await q.query('CREATE INDEX accounts_parent_idx ON accounts (parent_account_id)');
    await q.query(`
      CREATE TABLE users (
        user_id         uuid        PRIMARY KEY,
        kind            text        NOT NULL CHECK (kind IN ('human', 'api', 'contact')),
        email           text        NULL,
        display_name    text        NOT NULL,
        status          text        NOT NULL CHECK (status IN ('active', 'deactivated')),
        home_account_id uuid        NOT NULL,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    // e-mails are stored lower-cased by the user decider; this index is the race guard behind its EMAIL_TAKEN rule
    await q.query('CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL');
    await q.query(`
      CREATE TABLE memberships (
        user_id     uuid        NOT NULL REFERENCES users (user_id),
        account_id  uuid        NOT NULL,
        roles       text[]      NOT NULL,
        permissions text[]      NOT NULL,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL,
        PRIMARY KEY (user_id, account_id)
      )`);
    await q.query('CREATE INDEX memberships_account_idx ON memberships (account_id, created_at, user_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE memberships');
    await q.query('DROP TABLE users');
    await q.query('DROP TABLE accounts');
  }
}

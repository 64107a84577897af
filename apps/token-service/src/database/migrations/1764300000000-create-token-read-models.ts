import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * token-service's read models. Its own (pats, token_hashes, token_policies) are updated in the
 * same transaction as each append; the directory (users, user_permissions) is projected from
 * identity.events.v1 by the upstream consumer, in the transaction that records the event as
 * processed. No table holds a token: only SHA-256 hashes and display prefixes.
 */
export class CreateTokenReadModels1764300000000 implements MigrationInterface {
  name = 'CreateTokenReadModels1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directory_users (
        user_id    text        PRIMARY KEY,
        kind       text        NOT NULL,
        email      text        NULL,
        status     text        NOT NULL CHECK (status IN ('active', 'deactivated')),
        version    integer     NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX directory_users_email_idx ON directory_users (email)');
    await q.query(`
      CREATE TABLE user_permissions (
        user_id     text   NOT NULL,
        account_id  text   NOT NULL,
        permissions text[] NOT NULL,
        PRIMARY KEY (user_id, account_id)
      )`);
    await q.query(`
      CREATE TABLE pats (
        grant_id       text        PRIMARY KEY,
        user_id        text        NOT NULL,
        name           text        NOT NULL,
        description    text        NULL,
        scopes         text[]      NOT NULL,
        account_ids    text[]      NOT NULL,
        created_by     text        NOT NULL,
        created_at     timestamptz NOT NULL,
        token_id       text        NOT NULL,
        display_prefix text        NOT NULL,
        issued_at      timestamptz NOT NULL,
        expires_at     timestamptz NULL,
        last_used_at   timestamptz NULL,
        revoked_at     timestamptz NULL,
        revoke_reason  text        NULL
      )`);
    // names are unique per user among live tokens: the race guard behind the decider's NAME_TAKEN
    await q.query('CREATE UNIQUE INDEX pats_live_name_key ON pats (user_id, lower(name)) WHERE revoked_at IS NULL');
    await q.query('CREATE INDEX pats_user_idx ON pats (user_id, created_at, grant_id)');
    await q.query('CREATE INDEX pats_accounts_idx ON pats USING gin (account_ids)');
    await q.query('CREATE INDEX pats_token_idx ON pats (token_id)');
    await q.query(`
      CREATE TABLE token_hashes (
        token_hash  text        PRIMARY KEY,
        token_id    text        NOT NULL UNIQUE,
        grant_id    text        NOT NULL,
        token_kind  text        NOT NULL,
        user_id     text        NULL,
        client_id   text        NULL,
        account_ids text[]      NOT NULL,
        scopes      text[]      NOT NULL,
        issued_at   timestamptz NOT NULL,
        expires_at  timestamptz NULL,
        revoked     boolean     NOT NULL DEFAULT false
      )`);
    await q.query('CREATE INDEX token_hashes_grant_idx ON token_hashes (grant_id)');
    await q.query(`
      CREATE TABLE token_policies (
        account_id        text    PRIMARY KEY,
        who_may_create    text    NOT NULL,
        max_lifetime_days integer NULL,
        contact_scopes    text[]  NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['token_policies', 'token_hashes', 'pats', 'user_permissions', 'directory_users'])
      await q.query(`DROP TABLE ${table}`);
  }
}

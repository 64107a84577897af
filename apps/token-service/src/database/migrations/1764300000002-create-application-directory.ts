import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The applications token-service must know about, projected from applications.events.v1 by the
 * upstream consumer: whether each is active, disabled or deleted (introspection refuses the tokens
 * of a disabled or deleted application, as every verifier does), at which aggregate version.
 * Also an index for pruning the hashes of long-expired tokens (see TokenHashPruner).
 */
export class CreateApplicationDirectory1764300000002 implements MigrationInterface {
  name = 'CreateApplicationDirectory1764300000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directory_applications (
        client_id        text        PRIMARY KEY,
        owner_account_id text        NULL,
        status           text        NOT NULL CHECK (status IN ('active', 'disabled', 'deleted')),
        version          integer     NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX token_hashes_expires_idx ON token_hashes (expires_at) WHERE expires_at IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX token_hashes_expires_idx');
    await q.query('DROP TABLE directory_applications');
  }
}

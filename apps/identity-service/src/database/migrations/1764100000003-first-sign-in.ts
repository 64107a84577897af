import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `first_sign_in`: the one-time code with which the bootstrap administrator chooses a first
 * password when none was configured. Only the code's SHA-256 is kept; a code works once and for
 * 24 hours, and each start replaces it while the administrator has no password.
 */
export class FirstSignIn1764100000003 implements MigrationInterface {
  name = 'FirstSignIn1764100000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE first_sign_in (
        user_id    uuid        PRIMARY KEY,
        code_hash  text        NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE first_sign_in');
  }
}

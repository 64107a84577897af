import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether an application's authorization requests must be pushed first (RFC 9126). Events from
 * before the setting carry no field and mean false, so existing rows take that default.
 */
export class PushedAuthorizationRequests1764500000000 implements MigrationInterface {
  name = 'PushedAuthorizationRequests1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE applications ADD COLUMN require_pushed_authorization_requests boolean NOT NULL DEFAULT false',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE applications DROP COLUMN require_pushed_authorization_requests');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `directory_applications.console`: Latchkey's own web console (ApplicationRegistered
 * `console: true`), whose tokens act for their user as a login session does. Events from before
 * the field carry none and mean false, the default of existing rows; no console was registered
 * before it, so nothing needs replaying.
 */
export class ConsoleApplication1765000000001 implements MigrationInterface {
  name = 'ConsoleApplication1765000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE directory_applications ADD COLUMN console boolean NOT NULL DEFAULT false');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE directory_applications DROP COLUMN console');
  }
}

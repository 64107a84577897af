import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.profile_updated_at`: when the user itself last changed (registration, deactivation,
 * reactivation), apart from `updated_at`, which every membership change touches too. An account's
 * view of a user shows the later of this and its own membership's `updated_at`, so the time of a
 * change in another account never shows there. Existing rows are filled from the event store.
 */
export class UserProfileUpdatedAt1764100000002 implements MigrationInterface {
  name = 'UserProfileUpdatedAt1764100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN profile_updated_at timestamptz NULL');
    await q.query(`
      UPDATE users u SET profile_updated_at = coalesce(
        (SELECT max(e.occurred_at) FROM events e
          WHERE e.stream_type = 'user' AND e.stream_id = u.user_id::text
            AND e.type IN ('UserRegistered', 'UserDeactivated', 'UserReactivated')),
        u.created_at)`);
    await q.query('ALTER TABLE users ALTER COLUMN profile_updated_at SET NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN profile_updated_at');
  }
}

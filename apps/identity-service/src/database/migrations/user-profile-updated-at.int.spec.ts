import { randomUUID } from 'node:crypto';
import { eventStoreMigrations } from '@latchkey/eventstore';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import { CreateCredentials1764100000000 } from '../../credentials/credentials.migration';
import { CreateIdentityReadModels1764100000001 } from './1764100000001-create-identity-read-models';
import { UserProfileUpdatedAt1764100000002 } from './1764100000002-user-profile-updated-at';

describe('UserProfileUpdatedAt1764100000002 (real PostgreSQL)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase([
      ...eventStoreMigrations,
      CreateCredentials1764100000000,
      CreateIdentityReadModels1764100000001,
    ]);
  });
  afterAll(() => db?.drop());

  it('fills profile_updated_at from the user’s own events (not its membership changes), then requires it', async () => {
    const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
    const event = (userId: string, version: number, type: string, at: string) =>
      q(
        `INSERT INTO events (stream_id, stream_type, version, event_id, type, schema_version, data, occurred_at)
         VALUES ($1, 'user', $2, $3, $4, 1, '{}', $5)`,
        [userId, version, randomUUID(), type, at],
      );
    const user = (userId: string, created: string, updated: string) =>
      q(
        `INSERT INTO users (user_id, kind, email, display_name, status, home_account_id, created_at, updated_at)
         VALUES ($1, 'human', NULL, 'U', 'active', $2, $3, $4)`,
        [userId, randomUUID(), created, updated],
      );
    const [reactivated, onlyMemberships, noEvents] = [randomUUID(), randomUUID(), randomUUID()];
    await user(reactivated, '2025-01-01T00:00:00Z', '2025-03-01T00:00:00Z');
    await event(reactivated, 1, 'UserRegistered', '2025-01-01T00:00:00Z');
    await event(reactivated, 2, 'UserDeactivated', '2025-01-15T00:00:00Z');
    await event(reactivated, 3, 'UserReactivated', '2025-02-01T00:00:00Z');
    await event(reactivated, 4, 'MembershipChanged', '2025-03-01T00:00:00Z');
    await user(onlyMemberships, '2025-01-02T00:00:00Z', '2025-04-01T00:00:00Z');
    await event(onlyMemberships, 1, 'UserRegistered', '2025-01-02T00:00:00Z');
    await event(onlyMemberships, 2, 'MembershipChanged', '2025-04-01T00:00:00Z');
    await user(noEvents, '2025-01-03T00:00:00Z', '2025-05-01T00:00:00Z');

    const runner = db.dataSource.createQueryRunner();
    try {
      await new UserProfileUpdatedAt1764100000002().up(runner);
    } finally {
      await runner.release();
    }
    const rows: Array<{ user_id: string; profile_updated_at: Date }> = await q(
      'SELECT user_id, profile_updated_at FROM users',
    );
    const at = new Map(rows.map((r) => [r.user_id, r.profile_updated_at.toISOString()]));
    expect(at.get(reactivated)).toBe('2025-02-01T00:00:00.000Z');
    expect(at.get(onlyMemberships)).toBe('2025-01-02T00:00:00.000Z');
    expect(at.get(noEvents)).toBe('2025-01-03T00:00:00.000Z'); // no events (cannot happen): its creation
    await expect(
      q(
        `INSERT INTO users (user_id, kind, display_name, status, home_account_id, created_at, updated_at)
         VALUES ($1, 'api', 'X', 'active', $2, now(), now())`,
        [randomUUID(), randomUUID()],
      ),
    ).rejects.toThrow(/profile_updated_at/);
  });
});

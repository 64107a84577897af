import { IdentityHarness } from './testing/identity-harness';

/**
 * One concurrency strategy for every command (the event store's CommandRunner locks the stream
 * before loading it): concurrent commands on one aggregate queue, never answer 5xx.
 */
describe('identity-service under concurrent commands on one user (real PostgreSQL + Kafka)', () => {
  const h = new IdentityHarness();
  let admin: { userId: string; accountId: string; token: string };
  const auth = () => ({ authorization: `Bearer ${admin.token}` });

  beforeAll(async () => {
    await h.startService();
    admin = await h.admin();
  }, 120_000);
  afterAll(() => h.stopService());

  it('32 concurrent role changes of one user all succeed (no 5xx), with gap-free versions and the read model at the last change', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${admin.accountId}/users`,
      headers: auth(),
      payload: { kind: 'human', email: 'contended@example.com', displayName: 'Contended', roles: ['read_only'] },
    });
    expect(created.statusCode).toBe(201);
    const userId = created.json().userId as string;

    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        h.app.inject({
          method: 'PUT',
          url: `/v1/accounts/${admin.accountId}/users/${userId}/roles`,
          headers: auth(),
          payload: { roles: i % 2 === 0 ? ['member'] : ['read_only'] },
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(32).fill(200));

    const events = (await h.ctx.runtime.dataSource.query(
      `SELECT version, type, data FROM events WHERE stream_id = $1 ORDER BY version`,
      [userId],
    )) as Array<{ version: number; type: string; data: { accountId?: string; roles?: string[] } }>;
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    // each change decided on the state left by the one before: an event only where the roles changed
    const changes = events.filter((e) => e.type === 'MembershipChanged' && e.data.accountId === admin.accountId);
    changes.slice(1).forEach((e, i) => expect(e.data.roles).not.toEqual(changes[i].data.roles));
    const [row] = (await h.ctx.runtime.dataSource.query(
      'SELECT roles FROM memberships WHERE user_id = $1 AND account_id = $2',
      [userId, admin.accountId],
    )) as Array<{ roles: string[] }>;
    expect(row.roles).toEqual(changes[changes.length - 1].data.roles);
  }, 60_000);
});

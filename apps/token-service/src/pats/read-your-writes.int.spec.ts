import { randomUUID } from 'node:crypto';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { TokenHarness } from '../testing/token-harness';

const ADMIN = [
  'orders:read',
  'orders:delete',
  'personal_access_tokens:create',
  'personal_access_tokens:read',
  'personal_access_tokens:delete',
  'account_tokens:create',
  'account_tokens:read',
  'account_tokens:delete',
];

/**
 * Read-your-writes at token-service (hardening issue 12, item 6): a token works at token-service
 * on the first request after the answer that created it (its own events reach its own verifier
 * at commit), and a user registered — or a role granted — at identity-service a moment ago is not
 * answered with a false 404/403: token-service waits, bounded, for its directory to catch up.
 */
describe('token-service read-your-writes (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  let admin = '';

  beforeAll(async () => {
    await h.startService();
    const adminId = await h.user('human', { [account]: ADMIN });
    admin = await h.tokenFor(adminId, [account], ADMIN);
  }, 120_000);
  afterAll(() => h.stopService());

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  /** Other identity traffic ahead of the user, so the directory is behind when the request comes. */
  function backlog(n: number): LatchkeyEvent[] {
    return Array.from({ length: n }, () => {
      const id = randomUUID();
      return h.factory.event('UserRegistered', id, {
        userId: id,
        kind: 'api',
        displayName: 'Other',
        accountIds: [account],
      });
    });
  }

  function newUser(userId: string, permissions: string[]): LatchkeyEvent[] {
    return [
      h.factory.event('UserRegistered', userId, {
        userId,
        kind: 'human',
        email: `${userId}@example.com`,
        displayName: 'New',
        accountIds: [account],
      }),
      h.factory.event('MembershipChanged', userId, { userId, accountId: account, roles: ['member'], permissions }),
    ];
  }

  it('an administrator registers a user and at once creates a token for them: 201, not a false 404', async () => {
    const userId = randomUUID();
    await h.publish(h.topics.identity, [...backlog(200), ...newUser(userId, ['orders:read'])]);
    const directoryKnew = (await h.ctx.queries.user(userId)) !== null;
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${account}/users/${userId}/personal-access-tokens`,
      headers: auth(admin),
      payload: { name: 'first', scopes: ['orders:read'], expiresInDays: 7 },
    });
    expect([res.statusCode, res.json().code]).toEqual([201, undefined]);
    expect(directoryKnew).toBe(false); // the request really came before the directory had the user
  }, 60_000);

  it('a role granted a moment ago is honoured at once: 201, not a false 403', async () => {
    const userId = randomUUID();
    await h.publish(h.topics.identity, newUser(userId, ['orders:read']));
    await h.directoryHas(userId, 1);
    await h.publish(h.topics.identity, [
      ...backlog(200),
      h.factory.event('MembershipChanged', userId, {
        userId,
        accountId: account,
        roles: ['member'],
        permissions: ['orders:read', 'orders:delete'],
      }),
    ]);
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${account}/users/${userId}/personal-access-tokens`,
      headers: auth(admin),
      payload: { name: 'with delete', scopes: ['orders:read', 'orders:delete'], expiresInDays: 7 },
    });
    expect([res.statusCode, res.json().code]).toEqual([201, undefined]);
  }, 60_000);

  it('a user that does not exist is still 404, after the bounded wait', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${account}/users/${randomUUID()}/personal-access-tokens`,
      headers: auth(admin),
      payload: { name: 'nobody', scopes: ['orders:read'], expiresInDays: 7 },
    });
    expect([res.statusCode, res.json().code]).toEqual([404, 'user_unknown']);
  });

  it('100 of 100 PATs work at token-service on the first request after their creation answer', async () => {
    const results: number[] = [];
    for (let i = 0; i < 100; i++) {
      const created = await h.app.inject({
        method: 'POST',
        url: '/v1/personal-access-tokens',
        headers: auth(admin),
        payload: { name: `ryw-${i}`, scopes: ['personal_access_tokens:read'], accountIds: [account] },
      });
      expect(created.statusCode).toBe(201);
      const used = await h.app.inject({
        method: 'GET',
        url: '/v1/personal-access-tokens?limit=1',
        headers: auth(created.json().token),
      });
      results.push(used.statusCode);
    }
    expect(results.filter((s) => s === 200).length).toBe(100);
  }, 120_000);
});

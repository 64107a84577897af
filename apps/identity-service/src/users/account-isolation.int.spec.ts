import { IdentityHarness } from '../testing/identity-harness';

type Json = Record<string, unknown> & { memberships?: Array<{ accountId: string }> };

/**
 * Cross-tenant disclosure: what an account's API shows of a user who is also in other accounts.
 * Erin is a directory user and a member of the directory D and of its standard accounts A and B;
 * A's API must show her membership in A only, and nothing that changes when B changes her.
 */
describe('identity-service: an account’s API shows only that account’s memberships (real PostgreSQL + Kafka)', () => {
  const h = new IdentityHarness();
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  let directory: string;
  let a: string;
  let b: string;
  let erin: string;
  let inDirectory: string;
  let inA: string;
  let inB: string;

  const call = async (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const res = await h.app.inject({ method, url, headers: auth(token), ...(payload ? { payload } : {}) });
    expect([res.statusCode, method, url]).toEqual([
      method === 'POST' && !url.endsWith('activate') ? 201 : 200,
      method,
      url,
    ]);
    return res.json() as Json;
  };
  const accountsOf = (user: Json) => (user.memberships ?? []).map((m) => m.accountId);

  beforeAll(async () => {
    await h.startService({}, { hasher: { memoryCost: 256, timeCost: 1, parallelism: 1 } });
    const admin = await h.admin();
    directory = admin.accountId;
    inDirectory = admin.token;
    a = (await call(inDirectory, 'POST', `/v1/accounts/${directory}/accounts`, { name: 'A' })).accountId as string;
    b = (await call(inDirectory, 'POST', `/v1/accounts/${directory}/accounts`, { name: 'B' })).accountId as string;
    erin = (
      await call(inDirectory, 'POST', `/v1/accounts/${directory}/users`, {
        kind: 'human',
        email: 'erin@example.com',
        displayName: 'Erin',
        roles: ['member'],
      })
    ).userId as string;
    await h.waitForOwnEvents();
    inA = await h.tokenFor(admin.userId, [a], ['users:*', 'accounts:read']);
    inB = await h.tokenFor(admin.userId, [b], ['users:*', 'accounts:read']);
    await call(inB, 'PUT', `/v1/accounts/${b}/users/${erin}/roles`, { roles: ['read_only'] });
    await call(inA, 'PUT', `/v1/accounts/${a}/users/${erin}/roles`, { roles: ['read_only'] });
  }, 120_000);
  afterAll(() => h.stopService());

  it('setting roles in A answers with the membership in A only', async () => {
    const joined = await call(inA, 'PUT', `/v1/accounts/${a}/users/${erin}/roles`, { roles: ['member'] });
    expect(accountsOf(joined)).toEqual([a]);
    expect(JSON.stringify(joined)).not.toContain(b);
  });

  it('listing and reading in A show the membership in A only, never B', async () => {
    const list = await call(inA, 'GET', `/v1/accounts/${a}/users`);
    const listed = (list.items as Json[]).find((u) => u.userId === erin)!;
    const read = await call(inA, 'GET', `/v1/accounts/${a}/users/${erin}`);
    for (const view of [listed, read]) {
      expect(accountsOf(view)).toEqual([a]);
      expect(view.memberships).toEqual([{ accountId: a, roles: ['member'], permissions: expect.any(Array) }]);
      // her home is the directory, A's own parent (GET /v1/accounts/A shows it): nothing new
      expect(view.homeAccountId).toBe(directory);
    }
    expect(JSON.stringify(list)).not.toContain(b);
    expect(JSON.stringify(read)).not.toContain(b);
    expect((await call(inA, 'GET', `/v1/accounts/${a}`)).parentAccountId).toBe(directory);
  });

  it('the directory’s own API shows the membership in the directory only', async () => {
    const read = await call(inDirectory, 'GET', `/v1/accounts/${directory}/users/${erin}`);
    expect(accountsOf(read)).toEqual([directory]);
    const listed = ((await call(inDirectory, 'GET', `/v1/accounts/${directory}/users`)).items as Json[]).find(
      (u) => u.userId === erin,
    )!;
    expect(accountsOf(listed)).toEqual([directory]);
  });

  it('deactivating and reactivating from the home account answer with the home membership only', async () => {
    const deactivated = await call(inDirectory, 'POST', `/v1/accounts/${directory}/users/${erin}/deactivate`, {
      reason: 'on leave',
    });
    const reactivated = await call(inDirectory, 'POST', `/v1/accounts/${directory}/users/${erin}/reactivate`);
    expect(deactivated.status).toBe('deactivated');
    expect(accountsOf(deactivated)).toEqual([directory]);
    expect(reactivated.status).toBe('active');
    expect(accountsOf(reactivated)).toEqual([directory]);
    // the user's own status changes are hers, so every account sees them
    const inAView = await call(inA, 'GET', `/v1/accounts/${a}/users/${erin}`);
    expect(inAView.status).toBe('active');
    expect(inAView.updatedAt).toBe(reactivated.updatedAt);
  });

  it('a change in B does not show in A: not in the memberships and not in updatedAt', async () => {
    const before = await call(inA, 'GET', `/v1/accounts/${a}/users/${erin}`);
    await new Promise((r) => setTimeout(r, 5)); // so that B's change has a later time than anything A saw
    const inBView = await call(inB, 'PUT', `/v1/accounts/${b}/users/${erin}/roles`, { roles: ['member'] });
    expect(accountsOf(inBView)).toEqual([b]);
    const after = await call(inA, 'GET', `/v1/accounts/${a}/users/${erin}`);
    expect(after).toEqual(before);
    const listed = ((await call(inA, 'GET', `/v1/accounts/${a}/users`)).items as Json[]).find(
      (u) => u.userId === erin,
    )!;
    expect(listed.updatedAt).toBe(before.updatedAt);
    // … while a change in A does
    await new Promise((r) => setTimeout(r, 5));
    const changed = await call(inA, 'PUT', `/v1/accounts/${a}/users/${erin}/roles`, { roles: ['read_only'] });
    expect(Date.parse(changed.updatedAt as string)).toBeGreaterThan(Date.parse(before.updatedAt as string));
    expect(Date.parse(changed.updatedAt as string)).toBeGreaterThan(Date.parse(inBView.updatedAt as string));
  });

  it('registering in A answers with the membership in A only', async () => {
    const frank = await call(inA, 'POST', `/v1/accounts/${a}/users`, {
      kind: 'api',
      displayName: 'Frank bot',
      roles: ['api_user'],
    });
    expect(accountsOf(frank)).toEqual([a]);
    expect(frank.homeAccountId).toBe(a);
  });

  it('/v1/me still shows the caller every own membership and the latest change', async () => {
    const erinToken = await h.tokenFor(erin, [a], []);
    const me = await call(erinToken, 'GET', '/v1/me');
    expect(accountsOf(me).sort()).toEqual([directory, a, b].sort());
    const inAView = await call(inA, 'GET', `/v1/accounts/${a}/users/${erin}`);
    expect(Date.parse(me.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(inAView.updatedAt as string));
  });
});

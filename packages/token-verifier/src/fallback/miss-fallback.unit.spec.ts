import type { UserFacts } from '../activity/token-activity';
import { MissFallback, type IntrospectedToken, type LocalSubjectState } from './miss-fallback';

const live: IntrospectedToken = {
  active: true,
  sub: 'u1',
  subject_kind: 'human',
  token_id: 't1',
  grant_id: 'g1',
  accounts: ['acct-1'],
  scope: 'orders:read orders:update',
  exp: 4_000_000_000,
};

describe('MissFallback', () => {
  it('turns an active introspection answer into an active result, scopes and account checked', async () => {
    const fb = new MissFallback({ introspect: async () => live });
    expect(await fb.resolve('h1', { account: 'acct-1', requiredScopes: ['orders:delete'] })).toMatchObject({
      active: true,
      subject: 'u1',
      tokenId: 't1',
      effectiveScopes: ['orders:read', 'orders:update'],
      missingScopes: ['orders:delete'],
    });
    expect(await fb.resolve('h1', { account: 'acct-2' })).toEqual({ active: false, reason: 'account_not_allowed' });
  });

  it('caches answers briefly: one call per token within the TTL, a new one after', async () => {
    let now = 0;
    const fb = new MissFallback({ introspect: async () => live, cacheTtlMs: 5000, clock: () => now });
    await fb.resolve('h1', {});
    await fb.resolve('h1', {});
    expect(fb.calls).toBe(1);
    now = 6000;
    await fb.resolve('h1', {});
    expect(fb.calls).toBe(2);
  });

  it('1,000 random well-formed tokens cause at most the bucket’s worth of calls', async () => {
    const fb = new MissFallback({ introspect: async () => ({ active: false }), ratePerSecond: 10, clock: () => 0 });
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => fb.resolve(`h${i}`, {})));
    expect(fb.calls).toBe(10);
    expect(results.every((r) => !r.active && r.reason === 'unknown')).toBe(true);
  });

  it('fails closed when the introspection endpoint fails', async () => {
    const fb = new MissFallback({
      introspect: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    expect(await fb.resolve('h1', {})).toEqual({ active: false, reason: 'unknown' });
  });

  it('an expired answer is expired', async () => {
    const fb = new MissFallback({ introspect: async () => ({ ...live, exp: 1 }), clock: () => 10_000 });
    expect(await fb.resolve('h1', {})).toEqual({ active: false, reason: 'expired' });
  });

  it('one client flooding random well-formed tokens spends only its own budget: another client’s fresh token still gets through', async () => {
    const fb = new MissFallback({
      introspect: async (hash) => (hash === 'fresh' ? live : { active: false }),
      ratePerSecond: 10,
      perClientPerSecond: 2,
      clock: () => 0,
    });
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => fb.resolve(`random${i}`, {}, { clientKey: '203.0.113.9' })),
    );
    expect(fb.calls).toBe(4); // the flooding client's burst (2 × its rate), not the global 10
    expect(fb.refusedPerClient).toBe(996);
    expect(await fb.resolve('fresh', {}, { clientKey: '198.51.100.7' })).toMatchObject({ active: true });
  });

  it('without a client key only the global budget applies', async () => {
    const fb = new MissFallback({ introspect: async () => ({ active: false }), ratePerSecond: 10, clock: () => 0 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => fb.resolve(`h${i}`, {})));
    expect(fb.calls).toBe(10);
  });

  describe('the local projection’s user and application state applies over the answer (item 13)', () => {
    const local = (
      user?: UserFacts & { version: number },
      app?: { version: number; disabled: boolean; allowedScopes?: readonly string[] | null },
    ): LocalSubjectState => ({
      user: () => user,
      application: () =>
        app === undefined ? undefined : { console: false, allowedScopes: null, accountIds: null, ...app },
    });
    const member = (over: Partial<UserFacts & { version: number }> = {}) => ({
      deactivated: false,
      kind: 'human' as const,
      permissions: new Map([['acct-1', ['orders:read'] as readonly string[]]]),
      version: 5,
      ...over,
    });

    it('a user deactivated here at a newer version stops the token', async () => {
      const fb = new MissFallback({ introspect: async () => ({ ...live, user_version: 4 }) });
      expect(await fb.resolve('h', {}, { local: local(member({ deactivated: true })) })).toEqual({
        active: false,
        reason: 'user_deactivated',
      });
    });

    it('permissions known here at a newer version narrow the scopes', async () => {
      const fb = new MissFallback({ introspect: async () => ({ ...live, user_version: 5 }) });
      expect(await fb.resolve('h', { account: 'acct-1' }, { local: local(member()) })).toMatchObject({
        active: true,
        effectiveScopes: ['orders:read'],
      });
    });

    it('an older local state gives way to the answer (read-your-writes for a role just granted)', async () => {
      const fb = new MissFallback({ introspect: async () => ({ ...live, user_version: 6 }) });
      expect(
        await fb.resolve('h', { account: 'acct-1' }, { local: local(member({ deactivated: true })) }),
      ).toMatchObject({
        active: true,
        effectiveScopes: ['orders:read', 'orders:update'],
      });
    });

    it('an application disabled here stops the token; an older disabled state does not', async () => {
      const answer = { ...live, client_id: 'c1', application_version: 3 };
      const fb = new MissFallback({ introspect: async () => answer, cacheTtlMs: 0 });
      expect(await fb.resolve('h', {}, { local: local(undefined, { version: 3, disabled: true }) })).toEqual({
        active: false,
        reason: 'application_disabled',
      });
      expect(await fb.resolve('h', {}, { local: local(undefined, { version: 2, disabled: true }) })).toMatchObject({
        active: true,
      });
    });
  });
});

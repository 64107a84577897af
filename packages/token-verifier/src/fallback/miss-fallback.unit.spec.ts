import { MissFallback, type IntrospectedToken } from './miss-fallback';

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
});

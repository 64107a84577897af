import { coveredBy, expandScopes, requireScopes } from './scopes';
import { TokenError } from './token-error';

describe('scopes', () => {
  it('expandScopes expands resource:* to the four actions, sorted and unique', () => {
    expect(expandScopes(['orders:*', 'orders:read', 'applications:read', 'applications:read'])).toEqual([
      'applications:read',
      'orders:create',
      'orders:delete',
      'orders:read',
      'orders:update',
    ]);
    expect(expandScopes([])).toEqual([]);
  });

  it('coveredBy: an equal scope or the resource wildcard covers, nothing else does', () => {
    expect(coveredBy('orders:read', ['orders:read'])).toBe(true);
    expect(coveredBy('orders:read', ['requests:read', 'orders:*'])).toBe(true);
    expect(coveredBy('orders:read', ['orders:update'])).toBe(false);
    expect(coveredBy('orders:read', ['order:*'])).toBe(false);
    expect(coveredBy('orders:*', ['orders:read'])).toBe(false);
    expect(coveredBy('orders:read', [])).toBe(false);
  });

  it('requireScopes checks the grammar and expands', () => {
    expect(requireScopes(['users:*', 'orders:read'])).toEqual([
      'orders:read',
      'users:create',
      'users:delete',
      'users:read',
      'users:update',
    ]);
    expect(requireScopes([])).toEqual([]);
    for (const bad of [['orders'], ['orders:write'], ['Orders:read'], [':read'], [42], 'orders:read']) {
      expect(() => requireScopes(bad)).toThrow(expect.objectContaining({ code: 'SCOPE_INVALID' }));
    }
    expect(() => requireScopes(['x:nope'])).toThrow(TokenError);
  });
});

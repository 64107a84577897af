import { covers, intersectFrozen, intersectScopes, missingScopes, NO_SCOPES } from './scopes';

describe('scopes', () => {
  it.each([
    ['orders:read', 'orders:read', true],
    ['orders:*', 'orders:read', true],
    ['orders:*', 'ordersx:read', false],
    ['orders:read', 'orders:*', false],
    ['orders:read', 'orders:update', false],
  ])('covers(%s, %s) = %s', (a, b, expected) => expect(covers(a, b)).toBe(expected));

  it('intersects with wildcards on either side, sorted and without duplicates', () => {
    expect(intersectScopes(['orders:*', 'incidents:read'], ['orders:read', 'orders:update', 'incidents:*'])).toEqual([
      'incidents:read',
      'orders:read',
      'orders:update',
    ]);
    expect(intersectScopes(['orders:read', 'orders:read'], ['orders:*'])).toEqual(['orders:read']);
    expect(intersectScopes(['orders:read'], [])).toEqual([]);
  });

  it('memoizes frozen pairs and answers anew for a new permissions list', () => {
    const token = Object.freeze(['orders:read', 'orders:update']);
    const before = Object.freeze(['orders:*']);
    const after = Object.freeze(['orders:read']);
    const first = intersectFrozen(token, before);
    expect(first).toEqual(['orders:read', 'orders:update']);
    expect(intersectFrozen(token, before)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(intersectFrozen(token, after)).toEqual(['orders:read']);
  });

  it('does not memoize lists that could still change', () => {
    const perms = ['orders:read'];
    const token = Object.freeze(['orders:read', 'orders:update']);
    expect(intersectFrozen(token, perms)).toEqual(['orders:read']);
    perms.push('orders:update');
    expect(intersectFrozen(token, perms)).toEqual(['orders:read', 'orders:update']);
  });

  it('names the required scopes not covered', () => {
    expect(missingScopes([], ['orders:read'])).toBe(NO_SCOPES);
    expect(missingScopes(['orders:read'], ['orders:*'])).toBe(NO_SCOPES);
    expect(missingScopes(['orders:read', 'orders:delete'], ['orders:read'])).toEqual(['orders:delete']);
  });
});

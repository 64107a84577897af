import { SCOPE_PATTERN, Scope, isScope, scopeInWords } from './scopes';

describe('scopes', () => {
  it.each(['orders:read', 'personal_access_tokens:create', 'users:update', 'grants:delete', 'orders:*', 'a1:read'])(
    'given %s, when checked, then it is a scope',
    (scope) => {
      expect(isScope(scope)).toBe(true);
      expect(SCOPE_PATTERN.test(scope)).toBe(true);
    },
  );

  it.each([
    'orders',
    'orders:write',
    'Orders:read',
    '1orders:read',
    'orders:read ',
    'orders-x:read',
    ':read',
    'orders:*:read',
    '*:read',
  ])('given %p, when checked, then it is not a scope', (scope) => {
    expect(isScope(scope)).toBe(false);
  });

  it('given the Scope schema, when read, then it carries the same pattern as SCOPE_PATTERN', () => {
    expect(Scope.pattern).toBe(SCOPE_PATTERN.source);
    expect(Scope.type).toBe('string');
    expect(isScope(42)).toBe(false);
  });
});

describe('scopeInWords', () => {
  it('says a scope as a person would read it', () => {
    expect(scopeInWords('orders:read')).toBe('Read orders');
    expect(scopeInWords('orders:update')).toBe('Change orders');
    expect(scopeInWords('personal_access_tokens:delete')).toBe('Delete personal access tokens');
    expect(scopeInWords('users:*')).toBe('Do everything with users');
    expect(scopeInWords('odd')).toBe('odd');
  });
});

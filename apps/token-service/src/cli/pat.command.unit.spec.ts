import { TokenError } from '../domain';
import type { DirectoryUser } from '../read-model/token.queries';
import { accountsOf, scopesOf } from './pat.command';

const user: DirectoryUser = {
  userId: 'u1',
  kind: 'human',
  email: 'u1@example.com',
  active: true,
  permissions: { b: ['users:read', 'users:update', 'accounts:read'], a: ['users:read', 'accounts:read'], c: [] },
};

describe('operator PAT helpers', () => {
  it('--all-accounts: the accounts the user holds permissions in, sorted', () => {
    expect(accountsOf(user, 'all')).toEqual(['a', 'b']);
    expect(accountsOf(user, ['b'])).toEqual(['b']);
    expect(() => accountsOf({ ...user, permissions: {} }, 'all')).toThrow(TokenError);
  });

  it('--scopes all: the permissions held in every account of the token', () => {
    expect(scopesOf(user, ['b'], 'all')).toEqual(['accounts:read', 'users:read', 'users:update']);
    expect(scopesOf(user, ['a', 'b'], 'all')).toEqual(['accounts:read', 'users:read']);
    expect(scopesOf(user, ['a'], ['x:read'])).toEqual(['x:read']);
  });

  it('--scopes all leaves an account the user is not in to the decider, and refuses accounts with nothing in common', () => {
    expect(scopesOf(user, ['a', 'zzz'], 'all')).toEqual([]);
    const disjoint: DirectoryUser = { ...user, permissions: { a: ['users:read'], b: ['accounts:read'] } };
    expect(() => scopesOf(disjoint, ['a', 'b'], 'all')).toThrow(expect.objectContaining({ code: 'SCOPES_REQUIRED' }));
  });
});

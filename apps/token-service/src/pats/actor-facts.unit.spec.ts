import { randomUUID } from 'node:crypto';
import { TokenProjection, verifyToken } from '@latchkey/token-verifier';
import { EventFactory } from '@latchkey/token-verifier/testing';
import { actorFacts } from './actor-facts';

const A = 'acct-a';
const B = 'acct-b';
const PAT_ALL = [
  'personal_access_tokens:create',
  'personal_access_tokens:read',
  'personal_access_tokens:update',
  'personal_access_tokens:delete',
];

/** What actorFacts derives from the calling token, with the real projection and verifyToken. */
describe('actorFacts', () => {
  const f = new EventFactory();
  const projection = new TokenProjection();
  const verifier = {
    verify: (token: string, options?: { account?: string }) => verifyToken(projection, token, options),
  };
  const userId = randomUUID();
  projection.apply(
    f.event('UserRegistered', userId, {
      userId,
      kind: 'human',
      email: 'ada@example.com',
      displayName: 'Ada',
      accountIds: [A, B],
    }),
  );
  for (const [accountId, permissions] of [
    [A, [...PAT_ALL, 'account_tokens:create', 'orders:read']],
    [B, [...PAT_ALL, 'orders:read']],
  ] as const)
    projection.apply(
      f.event('MembershipChanged', userId, { userId, accountId, roles: ['r'], permissions: [...permissions] }),
    );
  const token = (scopes: string[], accountIds = [A, B]) => {
    const pat = f.pat(userId, { accountIds, scopes });
    projection.apply(pat.issued);
    return pat.token;
  };

  it('administers an account where the token covers account_tokens:create — all four personal_access_tokens actions are not enough', () => {
    expect(actorFacts(verifier, token([...PAT_ALL, 'account_tokens:create']), [A, B], false).administers).toEqual([A]);
    expect(actorFacts(verifier, token(['account_tokens:*']), [A, B], false).administers).toEqual([A]);
    expect(actorFacts(verifier, token(PAT_ALL), [A, B], false).administers).toEqual([]);
  });

  it("gives the token's effective scopes in each account, for oneself and for others alike: the ceiling of what it issues", () => {
    const calling = token(['orders:read', 'account_tokens:create', 'personal_access_tokens:create']);
    for (const isSelf of [true, false])
      expect(actorFacts(verifier, calling, [A, B, A], isSelf)).toEqual({
        isSelf,
        administers: [A],
        tokenScopes: {
          [A]: ['account_tokens:create', 'orders:read', 'personal_access_tokens:create'],
          [B]: ['orders:read', 'personal_access_tokens:create'],
        },
      });
  });

  it('gives no scopes in an account the token does not act in, and none for an unknown token', () => {
    expect(actorFacts(verifier, token(['orders:read'], [A]), [A, B], true).tokenScopes).toEqual({
      [A]: ['orders:read'],
      [B]: [],
    });
    expect(actorFacts(verifier, 'lk_pat_unknown', [A], true)).toEqual({
      isSelf: true,
      administers: [],
      tokenScopes: { [A]: [] },
    });
  });
});

import { decideActive, effectiveScopes, type TokenFacts, type UserFacts } from './token-activity';

const NOW = Date.UTC(2026, 0, 1);

const token = (over: Partial<TokenFacts> = {}): TokenFacts => ({
  tokenId: 't1',
  grantId: 'g1',
  userId: 'u1',
  clientId: null,
  accountIds: ['acct-1'],
  scopes: ['orders:read', 'orders:update'],
  expiresAtMs: NOW + 60_000,
  revoked: null,
  ...over,
});

const user = (permissions: Record<string, string[]>, over: Partial<UserFacts> = {}): UserFacts => ({
  deactivated: false,
  kind: 'human',
  permissions: new Map(Object.entries(permissions)),
  ...over,
});

const ada = user({ 'acct-1': ['orders:read', 'orders:update', 'orders:delete'], 'acct-2': ['orders:read'] });

describe('decideActive — the one rule of "is this token active" (the verification rule, in order)', () => {
  it.each([
    ['token revoked', token({ revoked: 'token_revoked' }), ada, false, 'token_revoked'],
    ['grant revoked', token({ revoked: 'grant_revoked' }), ada, false, 'grant_revoked'],
    [
      'revoked wins over expired',
      token({ revoked: 'grant_revoked', expiresAtMs: NOW - 1 }),
      ada,
      false,
      'grant_revoked',
    ],
    ['expired (at the instant)', token({ expiresAtMs: NOW }), ada, false, 'expired'],
    [
      'expired wins over a deactivated user',
      token({ expiresAtMs: NOW - 1 }),
      user({}, { deactivated: true }),
      false,
      'expired',
    ],
    ['user not known here', token(), undefined, false, 'unknown'],
    [
      'user deactivated',
      token(),
      user({ 'acct-1': ['orders:read'] }, { deactivated: true }),
      false,
      'user_deactivated',
    ],
    ['application disabled', token({ clientId: 'c1' }), ada, true, 'application_disabled'],
    [
      'client token of a disabled application',
      token({ userId: null, clientId: 'c1' }),
      undefined,
      true,
      'application_disabled',
    ],
  ])('%s → inactive (%s)', (_what, facts, who, disabled, reason) => {
    expect(
      decideActive(
        facts,
        who,
        disabled ? { disabled: true, console: false, allowedScopes: null, accountIds: null } : undefined,
        {},
        NOW,
      ),
    ).toEqual({
      active: false,
      reason,
    });
  });

  it('an account the token may not act in is refused, whatever the user holds there', () => {
    expect(decideActive(token(), ada, undefined, { account: 'acct-2' }, NOW)).toEqual({
      active: false,
      reason: 'account_not_allowed',
    });
  });

  it('an active token answers token scopes ∩ the user’s permissions in the account, and what is missing', () => {
    const r = decideActive(token(), ada, undefined, { account: 'acct-1', requiredScopes: ['orders:delete'] }, NOW);
    expect(r).toEqual({
      active: true,
      subject: 'u1',
      subjectKind: 'human',
      tokenId: 't1',
      grantId: 'g1',
      clientId: null,
      viaConsole: false,
      accountIds: ['acct-1'],
      effectiveScopes: ['orders:read', 'orders:update'],
      missingScopes: ['orders:delete'],
      expiresAt: new Date(NOW + 60_000).toISOString(),
    });
  });

  it('a token loses a scope the moment its user does', () => {
    const demoted = user({ 'acct-1': ['orders:read'] });
    expect(decideActive(token(), demoted, undefined, { account: 'acct-1' }, NOW)).toMatchObject({
      effectiveScopes: ['orders:read'],
    });
  });

  it('a client token (no user) keeps its own scopes, sorted, subject = the client', () => {
    const r = decideActive(
      token({ userId: null, clientId: 'c1', scopes: ['b:read', 'a:read'] }),
      undefined,
      undefined,
      {},
      NOW,
    );
    expect(r).toMatchObject({
      active: true,
      subject: 'c1',
      subjectKind: 'client',
      effectiveScopes: ['a:read', 'b:read'],
    });
  });
});

describe("an application's token is limited by what the application may request now (issue 13)", () => {
  const appToken = token({ clientId: 'c1', scopes: ['orders:read', 'orders:update'] });

  it('a narrowed application loses the scope at once, for user and client tokens alike', () => {
    const narrowed = { disabled: false, console: false, allowedScopes: ['orders:read'], accountIds: null };
    expect(decideActive(appToken, ada, narrowed, { account: 'acct-1' }, NOW)).toMatchObject({
      active: true,
      effectiveScopes: ['orders:read'],
    });
    const clientToken = token({ userId: null, clientId: 'c1', scopes: ['orders:read', 'orders:update'] });
    expect(decideActive(clientToken, undefined, narrowed, {}, NOW)).toMatchObject({ effectiveScopes: ['orders:read'] });
  });

  it('a wildcard ceiling covers its actions; an unknown ceiling applies none; a PAT has no application', () => {
    expect(
      decideActive(
        appToken,
        ada,
        { disabled: false, console: false, allowedScopes: ['orders:*'], accountIds: null },
        { account: 'acct-1' },
        NOW,
      ),
    ).toMatchObject({ effectiveScopes: ['orders:read', 'orders:update'] });
    expect(
      decideActive(
        appToken,
        ada,
        { disabled: false, console: false, allowedScopes: null, accountIds: null },
        { account: 'acct-1' },
        NOW,
      ),
    ).toMatchObject({ effectiveScopes: ['orders:read', 'orders:update'] });
    expect(
      decideActive(
        token(),
        ada,
        { disabled: true, console: false, allowedScopes: [], accountIds: null },
        { account: 'acct-1' },
        NOW,
      ),
    ).toMatchObject({ active: true });
  });

  it('an application removed from an account loses it at once; a PAT is not concerned', () => {
    const twoAccounts = token({ clientId: 'c1', accountIds: ['acct-1', 'acct-2'], scopes: ['orders:read'] });
    const onlyFirst = { disabled: false, console: false, allowedScopes: null, accountIds: ['acct-1'] };
    expect(decideActive(twoAccounts, ada, onlyFirst, { account: 'acct-2' }, NOW)).toEqual({
      active: false,
      reason: 'account_not_allowed',
    });
    expect(decideActive(twoAccounts, ada, onlyFirst, { account: 'acct-1' }, NOW)).toMatchObject({
      active: true,
      accountIds: ['acct-1'],
    });
    expect(
      decideActive(
        token({ accountIds: ['acct-1'] }),
        ada,
        { ...onlyFirst, accountIds: [] },
        { account: 'acct-1' },
        NOW,
      ),
    ).toMatchObject({ active: true });
    // left in no account at all: inactive everywhere, routes without an account too
    expect(decideActive(twoAccounts, ada, { ...onlyFirst, accountIds: ['acct-9'] }, {}, NOW)).toEqual({
      active: false,
      reason: 'account_not_allowed',
    });
  });

  it('an application allowed nothing any more leaves its tokens nothing', () => {
    expect(
      decideActive(
        appToken,
        ada,
        { disabled: false, console: false, allowedScopes: [], accountIds: null },
        { account: 'acct-1' },
        NOW,
      ),
    ).toMatchObject({
      active: true,
      effectiveScopes: [],
    });
  });
});

describe('the console’s tokens (ApplicationRegistered console: true) act for their user as a login session does', () => {
  const consoleApp = { disabled: false, console: true, allowedScopes: [] as string[], accountIds: [] as string[] };
  const consoleToken = token({
    clientId: 'console',
    accountIds: ['acct-1', 'acct-2'],
    scopes: ['orders:read', 'orders:delete', 'personal_access_tokens:create'],
  });

  it('in every account of the token, whatever the application’s accounts, with the user’s permissions there', () => {
    expect(decideActive(consoleToken, ada, consoleApp, { account: 'acct-2' }, NOW)).toMatchObject({
      active: true,
      viaConsole: true,
      accountIds: ['acct-1', 'acct-2'],
      effectiveScopes: ['orders:read'],
    });
    expect(decideActive(consoleToken, ada, consoleApp, { account: 'acct-1' }, NOW)).toMatchObject({
      effectiveScopes: ['orders:delete', 'orders:read'],
    });
  });

  it('the same token of an ordinary application is cut to the application’s accounts and scopes', () => {
    const ordinary = { ...consoleApp, console: false, accountIds: ['acct-1'] };
    expect(decideActive(consoleToken, ada, ordinary, {}, NOW)).toMatchObject({
      active: true,
      viaConsole: false,
      accountIds: ['acct-1'],
      effectiveScopes: [],
    });
    ordinary.accountIds = [];
    expect(decideActive(consoleToken, ada, ordinary, { account: 'acct-1' }, NOW)).toEqual({
      active: false,
      reason: 'account_not_allowed',
    });
  });

  it('still never more than the token carries, nor alive once the console is disabled', () => {
    expect(
      decideActive(consoleToken, ada, consoleApp, { account: 'acct-1', requiredScopes: ['orders:update'] }, NOW),
    ).toMatchObject({ active: true, missingScopes: ['orders:update'] });
    expect(decideActive(consoleToken, ada, { ...consoleApp, disabled: true }, { account: 'acct-1' }, NOW)).toEqual({
      active: false,
      reason: 'application_disabled',
    });
  });
});

describe('effective scopes of a route that names no account (item 5: never the union)', () => {
  const twoAccounts = token({ accountIds: ['acct-1', 'acct-2'], scopes: ['orders:read', 'orders:delete'] });

  it('are what holds in EVERY account of the token: delete is held in acct-1 only, so it is not effective', () => {
    expect(effectiveScopes(twoAccounts, ada)).toEqual(['orders:read']);
    const r = decideActive(twoAccounts, ada, undefined, { requiredScopes: ['orders:delete'] }, NOW);
    expect(r).toMatchObject({ active: true, effectiveScopes: ['orders:read'], missingScopes: ['orders:delete'] });
  });

  it('in one named account they are that account’s', () => {
    expect(effectiveScopes(twoAccounts, ada, 'acct-1')).toEqual(['orders:delete', 'orders:read']);
  });

  it('an account where the user holds nothing leaves nothing', () => {
    expect(effectiveScopes(token({ accountIds: ['acct-1', 'acct-9'] }), ada)).toEqual([]);
  });

  it('wildcards on either side keep the narrower scope', () => {
    const wild = user({ 'acct-1': ['orders:*'], 'acct-2': ['orders:read', 'orders:update'] });
    expect(effectiveScopes(token({ accountIds: ['acct-1', 'acct-2'], scopes: ['orders:*'] }), wild)).toEqual([
      'orders:read',
      'orders:update',
    ]);
  });
});

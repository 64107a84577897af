import { validateEvent } from '@latchkey/contracts';
import { deciderScenarios, envelopesOf } from '@latchkey/eventstore';
import { displayPrefix, generateSecret, hashSecret } from '@latchkey/token-format';
import { TokenError } from '../token-error';
import {
  CODE_REUSE,
  REFRESH_ROTATED,
  oauthGrantDecider as decider,
  type ClientFacts,
  type CreateOAuthGrant,
  type IssueOAuthTokens,
  type NewToken,
  type OAuthGrantCommand,
  type OAuthGrantEvent,
  type TokenFacts,
} from './authorization.decider';

const { given, when, errorOf } = deciderScenarios(decider, TokenError);
const emitted: OAuthGrantEvent[] = [];
const SECRETS: string[] = [];
function decided(command: OAuthGrantCommand, ...history: OAuthGrantEvent[]): OAuthGrantEvent[] {
  const events = when(command, ...history);
  emitted.push(...events);
  return events;
}
const code = (command: OAuthGrantCommand, ...history: OAuthGrantEvent[]) =>
  errorOf(() => when(command, ...history)).code;

const G = '9b2e4c6a-8d0f-4a1b-9c3d-5e7f9a1b3c5d';
const U = 'user-ada';
const C = 'client-reports';
const A1 = 'acct-1';
const A2 = 'acct-2';
const NOW = '2026-12-01T12:00:00.000Z';
const HOUR_LATER = '2026-12-01T13:00:00.000Z';
const TWO_WEEKS = '2026-12-15T12:00:00.000Z';
const client: ClientFacts = {
  clientId: C,
  active: true,
  allowedScopes: ['orders:read', 'orders:update', 'users:*'],
  accountIds: [A1, A2],
};

let n = 0;
function token(kind: 'at' | 'rt', expiresAt = kind === 'at' ? HOUR_LATER : TWO_WEEKS): NewToken {
  const secret = generateSecret(kind);
  SECRETS.push(secret);
  n++;
  return {
    tokenId: `0000000${n}-0000-4000-8000-000000000000`.slice(-36),
    tokenHash: hashSecret(secret),
    displayPrefix: displayPrefix(secret),
    expiresAt,
  };
}

const create = (over: Partial<CreateOAuthGrant> = {}): CreateOAuthGrant => ({
  type: 'CreateOAuthGrant',
  grantId: G,
  kind: 'authorization',
  userId: U,
  client,
  scopes: ['orders:read', 'users:read'],
  accountIds: [A1],
  userAccountIds: [A1, A2],
  now: NOW,
  ...over,
});
const issue = (over: Partial<IssueOAuthTokens> = {}): IssueOAuthTokens => ({
  type: 'IssueOAuthTokens',
  scopes: ['orders:read', 'users:read'],
  access: token('at'),
  refresh: token('rt'),
  now: NOW,
  ...over,
});

describe('the OAuth grant decider', () => {
  const created = () => decided(create());

  describe('CreateOAuthGrant', () => {
    it('records the consent: scopes expanded within the application’s ceiling, accounts sorted', () => {
      const [event] = decided(create({ scopes: ['users:*', 'orders:read'], accountIds: [A2, A1, A2] }));
      expect(event).toEqual({
        type: 'GrantCreated',
        data: {
          grantId: G,
          kind: 'authorization',
          userId: U,
          clientId: C,
          accountIds: [A1, A2],
          scopes: ['orders:read', 'users:create', 'users:delete', 'users:read', 'users:update'],
          createdBy: U,
        },
      });
    });

    it('a client grant acts for the application itself', () => {
      const [event] = decided(
        create({ kind: 'client', userId: undefined, userAccountIds: undefined, scopes: ['orders:read'] }),
      );
      expect(event).toMatchObject({ data: { kind: 'client', clientId: C, createdBy: C } });
      expect(event.type === 'GrantCreated' && 'userId' in event.data).toBe(false);
    });

    it.each([
      [{ scopes: ['orders:delete'] }, 'SCOPE_NOT_GRANTED'],
      [{ scopes: ['orders:*'] }, 'SCOPE_NOT_GRANTED'],
      [{ scopes: [] }, 'SCOPES_REQUIRED'],
      [{ scopes: ['not a scope'] }, 'SCOPE_INVALID'],
      [{ accountIds: [] }, 'ACCOUNTS_REQUIRED'],
      [{ accountIds: ['acct-other'] }, 'ACCOUNT_NOT_HELD'],
      [{ userAccountIds: [A2] }, 'ACCOUNT_NOT_HELD'],
      [{ client: { ...client, active: false } }, 'CLIENT_NOT_ALLOWED'],
    ])('refuses %p with %s', (over, expected) => {
      expect(code(create(over as Partial<CreateOAuthGrant>))).toBe(expected);
    });

    it('refuses to create a grant twice', () => {
      expect(code(create(), ...created())).toBe('GRANT_EXISTS');
    });
  });

  describe('IssueOAuthTokens', () => {
    it('issues an access and a refresh token carrying the grant’s user, client and accounts', () => {
      const access = token('at');
      const refresh = token('rt');
      const events = decided(issue({ access, refresh }), ...created());
      expect(events.map((e) => e.type)).toEqual(['TokenIssued', 'TokenIssued']);
      expect(events[0]).toEqual({
        type: 'TokenIssued',
        data: {
          tokenId: access.tokenId,
          grantId: G,
          tokenKind: 'access',
          tokenHash: access.tokenHash,
          displayPrefix: access.displayPrefix,
          userId: U,
          clientId: C,
          accountIds: [A1],
          scopes: ['orders:read', 'users:read'],
          issuedAt: NOW,
          expiresAt: HOUR_LATER,
          issuedBy: U,
        },
      });
      expect(events[1]).toMatchObject({
        data: { tokenKind: 'refresh', tokenId: refresh.tokenId, expiresAt: TWO_WEEKS },
      });
    });

    it('may narrow the scopes, never widen them', () => {
      const [access] = decided(issue({ scopes: ['users:read'] }), ...created());
      expect(access).toMatchObject({ data: { scopes: ['users:read'] } });
      expect(code(issue({ scopes: ['orders:update'] }), ...created())).toBe('SCOPE_NOT_GRANTED');
      expect(code(issue({ scopes: [] }), ...created())).toBe('SCOPES_REQUIRED');
    });

    const refreshOf = (events: OAuthGrantEvent[], over: Partial<TokenFacts> = {}): TokenFacts => {
      const issued = events.find((e) => e.type === 'TokenIssued' && e.data.tokenKind === 'refresh');
      if (issued?.type !== 'TokenIssued') throw new Error('no refresh token issued');
      const { tokenId, grantId, expiresAt } = issued.data;
      return { tokenId, grantId, tokenKind: 'refresh', revoked: false, expiresAt: expiresAt ?? null, ...over };
    };

    it('rotates: the presented refresh token is revoked in the same append as the new pair', () => {
      const first = decided(issue(), ...created());
      const firstRefresh = refreshOf(first);
      const next = decided(issue({ rotates: firstRefresh }), ...created(), ...first);
      const summary = (e: OAuthGrantEvent) =>
        e.type === 'TokenIssued' ? e.data.tokenKind : e.type === 'TokenRevoked' ? e.data.tokenId : e.type;
      expect(next.map((e) => [e.type, summary(e)])).toEqual([
        ['TokenRevoked', firstRefresh.tokenId],
        ['TokenIssued', 'access'],
        ['TokenIssued', 'refresh'],
      ]);
      expect(next[0]).toMatchObject({ data: { reason: REFRESH_ROTATED, grantId: G } });
      // the rotated token (the tables now say revoked) cannot be rotated again
      expect(code(issue({ rotates: { ...firstRefresh, revoked: true } }), ...created(), ...first, ...next)).toBe(
        'TOKEN_NOT_LIVE',
      );
    });

    it('refuses to rotate an access token, an expired refresh token or another grant’s', () => {
      const first = decided(issue(), ...created());
      const refresh = refreshOf(first);
      expect(code(issue({ rotates: { ...refresh, tokenKind: 'access' } }), ...created(), ...first)).toBe(
        'TOKEN_NOT_LIVE',
      );
      expect(code(issue({ rotates: { ...refresh, expiresAt: NOW } }), ...created(), ...first)).toBe('TOKEN_NOT_LIVE');
      expect(code(issue({ rotates: { ...refresh, grantId: 'another' } }), ...created(), ...first)).toBe(
        'TOKEN_NOT_LIVE',
      );
      expect(when(issue({ rotates: { ...refresh, expiresAt: TWO_WEEKS } }), ...created(), ...first)).toHaveLength(3);
    });

    it('keeps no token in its state: it stays the same size however often the grant is used', () => {
      let history: OAuthGrantEvent[] = [...created()];
      for (let i = 0; i < 3; i++) history = [...history, ...when(issue(), ...history)];
      const small = JSON.stringify(given(...history));
      for (let i = 0; i < 30; i++) history = [...history, ...when(issue(), ...history)];
      expect(JSON.stringify(given(...history))).toBe(small);
      // and it survives the JSON round trip of a snapshot unchanged
      expect(JSON.parse(small)).toEqual(given(...history));
    });

    it('refuses on a revoked or unknown grant', () => {
      const revoked = decided({ type: 'RevokeOAuthGrant', reason: CODE_REUSE, now: NOW }, ...created());
      expect(code(issue(), ...created(), ...revoked)).toBe('GRANT_REVOKED');
      expect(code(issue())).toBe('GRANT_NOT_FOUND');
    });

    it('treats bad token material as a bug of the handler', () => {
      expect(() => when(issue({ access: { ...token('at'), tokenHash: 'x' } }), ...created())).toThrow(/SHA-256/);
      expect(() => when(issue({ access: token('rt') }), ...created())).toThrow(/displayPrefix/);
      expect(() => when(issue({ access: token('at', NOW) }), ...created())).toThrow(/expire/);
    });
  });

  describe('revocation', () => {
    it('revokes the grant once, with the reason and who did it; again is a no-op', () => {
      const [event] = decided(
        { type: 'RevokeOAuthGrant', reason: 'user_request', revokedBy: U, now: NOW },
        ...created(),
      );
      expect(event).toEqual({
        type: 'GrantRevoked',
        data: { grantId: G, userId: U, clientId: C, reason: 'user_request', revokedAt: NOW, revokedBy: U },
      });
      expect(when({ type: 'RevokeOAuthGrant', reason: 'again', now: NOW }, ...created(), event)).toEqual([]);
      expect(code({ type: 'RevokeOAuthGrant', reason: 'x', now: NOW })).toBe('GRANT_NOT_FOUND');
    });

    it('revokes one token the tables hold live, of this grant; nothing otherwise (RFC 7009)', () => {
      const first = decided(issue(), ...created());
      const access = first[0].type === 'TokenIssued' ? first[0].data : undefined;
      const facts: TokenFacts = {
        tokenId: access?.tokenId ?? '',
        grantId: G,
        tokenKind: 'access',
        revoked: false,
        expiresAt: HOUR_LATER,
      };
      const revoke = (token: TokenFacts): OAuthGrantCommand => ({
        type: 'RevokeOAuthToken',
        token,
        reason: 'client_request',
      });
      expect(decided(revoke(facts), ...created(), ...first)).toEqual([
        { type: 'TokenRevoked', data: { tokenId: facts.tokenId, grantId: G, reason: 'client_request' } },
      ]);
      expect(when(revoke({ ...facts, revoked: true }), ...created(), ...first)).toEqual([]);
      expect(when(revoke({ ...facts, grantId: 'another' }), ...created(), ...first)).toEqual([]);
      const revoked = when({ type: 'RevokeOAuthGrant', reason: 'user_request', now: NOW }, ...created(), ...first);
      expect(when(revoke(facts), ...created(), ...first, ...revoked)).toEqual([]);
    });
  });

  it('folds only OAuth grants: a personal grant’s history is refused', () => {
    expect(() =>
      given({
        type: 'GrantCreated',
        data: {
          grantId: G,
          kind: 'personal',
          userId: U,
          accountIds: [A1],
          scopes: ['orders:read'],
          name: 'x',
          createdBy: U,
        },
      }),
    ).toThrow(TokenError);
  });

  it('emits events that validate against the contracts and hold no secret (runs last)', () => {
    expect(emitted.length).toBeGreaterThan(15);
    expect(new Set(emitted.map((e) => e.type))).toEqual(
      new Set(['GrantCreated', 'TokenIssued', 'TokenRevoked', 'GrantRevoked']),
    );
    for (const envelope of envelopesOf('token-service', 'grant', G, emitted))
      expect(validateEvent(envelope)).toEqual({ ok: true, event: envelope });
    const json = JSON.stringify(emitted);
    for (const secret of SECRETS) expect(json).not.toContain(secret);
  });
});

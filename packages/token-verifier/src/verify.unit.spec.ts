import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { generateSecret } from '@latchkey/token-format';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { TokenProjection } from './projection/token-projection';
import { EventFactory } from './testing/event-factory';
import { verifyToken } from './verify';

function setup() {
  const f = new EventFactory();
  const userId = randomUUID();
  const projection = new TokenProjection();
  const user = [
    f.event('UserRegistered', userId, {
      userId,
      kind: 'human',
      email: 'ada@example.com',
      displayName: 'Ada',
      accountIds: ['acct-1'],
    }),
    f.event('MembershipChanged', userId, {
      userId,
      accountId: 'acct-1',
      roles: ['member'],
      permissions: ['orders:read', 'orders:update', 'requests:read'],
    }),
  ];
  const pat = f.pat(userId);
  return {
    f,
    userId,
    projection,
    user,
    pat,
    apply: (...events: LatchkeyEvent[]) => events.forEach((e) => projection.apply(e)),
  };
}

describe('verifyToken — the verification rule, one rule per test', () => {
  it('given a live PAT of an active user, then it is active with token scopes ∩ permissions', () => {
    const { projection, user, pat, apply, userId } = setup();
    apply(...user, pat.issued);
    const r = verifyToken(projection, pat.token, { account: 'acct-1', requiredScopes: ['orders:read'] });
    expect(r).toMatchObject({
      active: true,
      subject: userId,
      subjectKind: 'human',
      tokenId: pat.tokenId,
      grantId: pat.grantId,
      effectiveScopes: ['orders:read', 'orders:update'],
      missingScopes: [],
    });
  });

  it('bad checksum', () => {
    const { projection, user, pat, apply } = setup();
    apply(...user, pat.issued);
    const last = pat.token.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyToken(projection, pat.token.slice(0, -1) + last)).toEqual({ active: false, reason: 'bad_checksum' });
  });

  it('malformed', () => {
    expect(verifyToken(new TokenProjection(), 'Bearer nope')).toEqual({ active: false, reason: 'malformed' });
  });

  it('unknown (well-formed, never issued)', () => {
    const { projection, user, apply } = setup();
    apply(...user);
    expect(verifyToken(projection, generateSecret('pat'))).toEqual({ active: false, reason: 'unknown' });
  });

  it('expired', () => {
    const { f, projection, user, apply, userId } = setup();
    const soon = f.pat(userId, { expiresAt: new Date(Date.now() + 1000).toISOString() });
    apply(...user, soon.issued);
    expect(verifyToken(projection, soon.token).active).toBe(true);
    expect(verifyToken(projection, soon.token, {}, Date.now() + 2000)).toEqual({ active: false, reason: 'expired' });
  });

  it('token revoked', () => {
    const { f, projection, user, pat, apply } = setup();
    apply(
      ...user,
      pat.issued,
      f.event('TokenRevoked', pat.grantId, { tokenId: pat.tokenId, grantId: pat.grantId, reason: 'regenerated' }),
    );
    expect(verifyToken(projection, pat.token)).toEqual({ active: false, reason: 'token_revoked' });
  });

  it('grant revoked', () => {
    const { f, projection, user, pat, apply, userId } = setup();
    apply(
      ...user,
      pat.issued,
      f.event('GrantRevoked', pat.grantId, {
        grantId: pat.grantId,
        userId,
        reason: 'revoked by user',
        revokedAt: new Date().toISOString(),
      }),
    );
    expect(verifyToken(projection, pat.token)).toEqual({ active: false, reason: 'grant_revoked' });
  });

  it('user deactivated', () => {
    const { f, projection, user, pat, apply, userId } = setup();
    apply(...user, pat.issued, f.event('UserDeactivated', userId, { userId, reason: 'left' }));
    expect(verifyToken(projection, pat.token)).toEqual({ active: false, reason: 'user_deactivated' });
  });

  it('application disabled', () => {
    const { f, projection, user, apply, userId } = setup();
    const clientId = randomUUID();
    const at = f.accessToken(userId, clientId);
    apply(...user, at.issued);
    expect(verifyToken(projection, at.token).active).toBe(true);
    apply(f.event('ApplicationDisabled', clientId, { clientId }));
    expect(verifyToken(projection, at.token)).toEqual({ active: false, reason: 'application_disabled' });
  });

  it('scope removed from the user’s role → effective scopes shrink at once', () => {
    const { f, projection, user, pat, apply, userId } = setup();
    apply(...user, pat.issued);
    apply(
      f.event('MembershipChanged', userId, {
        userId,
        accountId: 'acct-1',
        roles: ['read-only'],
        permissions: ['orders:read'],
      }),
    );
    const r = verifyToken(projection, pat.token, { account: 'acct-1', requiredScopes: ['orders:update'] });
    expect(r).toMatchObject({ active: true, effectiveScopes: ['orders:read'], missingScopes: ['orders:update'] });
  });

  it('account not in the token', () => {
    const { projection, user, pat, apply } = setup();
    apply(...user, pat.issued);
    expect(verifyToken(projection, pat.token, { account: 'acct-2' })).toEqual({
      active: false,
      reason: 'account_not_allowed',
    });
  });

  it('a wildcard permission keeps the token’s narrower scope, and vice versa', () => {
    const { f, projection, user, apply, userId } = setup();
    const wide = f.pat(userId, { scopes: ['requests:*', 'orders:read'] });
    apply(...user, wide.issued);
    apply(
      f.event('MembershipChanged', userId, {
        userId,
        accountId: 'acct-1',
        roles: ['admin'],
        permissions: ['orders:*', 'requests:read'],
      }),
    );
    expect(verifyToken(projection, wide.token, { account: 'acct-1' })).toMatchObject({
      effectiveScopes: ['orders:read', 'requests:read'],
    });
  });

  it('a user deactivated then reactivated does not get back grants revoked meanwhile', () => {
    const { f, projection, user, pat, apply, userId } = setup();
    const other = f.pat(userId);
    apply(...user, pat.issued, other.issued);
    apply(
      f.event('UserDeactivated', userId, { userId, reason: 'suspended' }),
      f.event('GrantRevoked', pat.grantId, {
        grantId: pat.grantId,
        userId,
        reason: 'user deactivated',
        revokedAt: new Date().toISOString(),
      }),
      f.event('UserReactivated', userId, { userId }),
    );
    expect(verifyToken(projection, pat.token)).toEqual({ active: false, reason: 'grant_revoked' });
    expect(verifyToken(projection, other.token).active).toBe(true);
  });

  it('evicts revoked and expired tokens so memory tracks live ones', () => {
    const { f, projection, user, pat, apply, userId } = setup();
    const short = f.pat(userId, { expiresAt: new Date(Date.now() + 1000).toISOString() });
    apply(...user, pat.issued, short.issued);
    expect(projection.size).toBe(2);
    apply(f.event('TokenRevoked', pat.grantId, { tokenId: pat.tokenId, grantId: pat.grantId, reason: 'revoked' }));
    expect(projection.evictExpired()).toBe(1); // the sweep turns the revoked token into a tombstone
    expect(projection.size).toBe(1);
    expect(verifyToken(projection, pat.token)).toEqual({ active: false, reason: 'token_revoked' });
    expect(projection.evictExpired(Date.now() + 2000)).toBe(1);
    expect(projection.size).toBe(0);
  });
});

describe('TokenProjection — redelivery and cross-topic order', () => {
  it('events delivered twice, or with the cross-topic order shuffled, give the same answers', () => {
    const f = new EventFactory();
    const users = [randomUUID(), randomUUID()];
    const clientId = randomUUID();
    const identity: LatchkeyEvent[] = [];
    const apps: LatchkeyEvent[] = [
      f.event('ApplicationRegistered', clientId, {
        clientId,
        ownerAccountId: 'acct-1',
        name: 'App',
        clientType: 'confidential',
        redirectUris: ['https://app.example.com/cb'],
        grantTypes: ['authorization_code'],
        allowedScopes: ['orders:read'],
        accountIds: ['acct-1'],
        accessTokenTtlSeconds: 3600,
        refreshTokenTtlSeconds: 1209600,
        firstParty: false,
      }),
    ];
    const tokens: LatchkeyEvent[] = [];
    const issued = users.flatMap((u) => {
      identity.push(
        f.event('UserRegistered', u, {
          userId: u,
          kind: 'human',
          email: `${u.slice(0, 8)}@example.com`,
          displayName: 'U',
          accountIds: ['acct-1'],
        }),
        f.event('MembershipChanged', u, {
          userId: u,
          accountId: 'acct-1',
          roles: ['member'],
          permissions: ['orders:read', 'orders:update'],
        }),
      );
      const a = f.pat(u);
      const b = f.pat(u);
      const c = f.accessToken(u, clientId);
      tokens.push(a.issued, b.issued, c.issued);
      return [a, b, c];
    });
    tokens.push(
      f.event('TokenRevoked', issued[0].grantId, {
        tokenId: issued[0].tokenId,
        grantId: issued[0].grantId,
        reason: 'revoked',
      }),
    );
    tokens.push(
      f.event('GrantRevoked', issued[4].grantId, {
        grantId: issued[4].grantId,
        reason: 'revoked',
        revokedAt: new Date().toISOString(),
      }),
    );
    identity.push(
      f.event('MembershipChanged', users[0], {
        userId: users[0],
        accountId: 'acct-1',
        roles: ['read-only'],
        permissions: ['orders:read'],
      }),
    );
    identity.push(f.event('UserDeactivated', users[1], { userId: users[1], reason: 'left' }));
    apps.push(f.event('ApplicationDisabled', clientId, { clientId }));

    const answers = (p: TokenProjection) => issued.map((t) => verifyToken(p, t.token, { account: 'acct-1' }));
    const inOrder = new TokenProjection();
    [...identity, ...apps, ...tokens].forEach((e) => inOrder.apply(e));
    const expected = answers(inOrder);
    expect(expected.map((a) => (a.active ? 'active' : a.reason))).toEqual([
      'token_revoked', // user 0, PAT a
      'active', // user 0, PAT b
      'application_disabled', // user 0, access token
      'user_deactivated', // user 1, PAT a
      'grant_revoked', // user 1, PAT b: the revocation is checked before the user
      'user_deactivated', // user 1, access token
    ]);

    // Any interleaving of the three topics (each topic's own order kept), with any events delivered twice.
    const topics = [identity, apps, tokens];
    fc.assert(
      fc.property(
        fc.array(fc.nat(2), { minLength: 60, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (picks, dupes) => {
          const cursors = [0, 0, 0];
          const merged: LatchkeyEvent[] = [];
          for (const pick of picks) {
            for (let k = 0; k < 3; k++) {
              const t = (pick + k) % 3;
              if (cursors[t] < topics[t].length) {
                merged.push(topics[t][cursors[t]++]);
                break;
              }
            }
          }
          for (let t = 0; t < 3; t++) while (cursors[t] < topics[t].length) merged.push(topics[t][cursors[t]++]);
          for (const d of dupes) merged.splice(d % merged.length, 0, merged[d % merged.length]);
          const p = new TokenProjection();
          merged.forEach((e) => p.apply(e));
          expect(answers(p)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

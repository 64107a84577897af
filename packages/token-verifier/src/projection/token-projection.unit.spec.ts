import { randomUUID } from 'node:crypto';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { EventFactory } from '../testing/event-factory';
import { verifyToken } from '../verify';
import { TokenProjection } from './token-projection';

const DAY = 86_400_000;

function withUser() {
  const f = new EventFactory();
  const userId = randomUUID();
  const registered = f.event('UserRegistered', userId, {
    userId,
    kind: 'human',
    displayName: 'Ada',
    accountIds: ['acct-1'],
  });
  const member = f.event('MembershipChanged', userId, {
    userId,
    accountId: 'acct-1',
    roles: ['member'],
    permissions: ['orders:read', 'orders:update'],
  });
  return { f, userId, registered, member };
}

describe('TokenProjection — each part of a user keeps its own version', () => {
  it('given a newer deactivation applied first (a service applies its own events at commit), an older membership change arriving later from Kafka still applies', () => {
    const { f, userId, registered, member } = withUser();
    const otherAccount = f.event('MembershipChanged', userId, {
      userId,
      accountId: 'acct-2',
      roles: ['read_only'],
      permissions: ['orders:read'],
    }); // v3
    const deactivated = f.event('UserDeactivated', userId, { userId, reason: 'left' }); // v4
    const p = new TokenProjection();
    for (const e of [registered, member, deactivated, otherAccount]) p.apply(e);
    expect(p.user(userId)).toMatchObject({ deactivated: true, version: 4 });
    expect(p.permissions(userId, 'acct-2')).toEqual(['orders:read']);
  });

  it('an older event of the same part is ignored (a late MembershipChanged never overwrites a newer one)', () => {
    const { f, userId, registered, member } = withUser();
    const demoted = f.event('MembershipChanged', userId, {
      userId,
      accountId: 'acct-1',
      roles: ['read_only'],
      permissions: ['orders:read'],
    });
    const p = new TokenProjection();
    for (const e of [registered, demoted, member]) p.apply(e);
    expect(p.permissions(userId, 'acct-1')).toEqual(['orders:read']);
    const reactivated = f.event('UserReactivated', userId, { userId });
    const deactivated = f.event('UserDeactivated', userId, { userId, reason: 'x' });
    p.apply(deactivated);
    p.apply(reactivated); // older than the deactivation: ignored
    expect(p.isUserDeactivated(userId)).toBe(true);
  });
});

describe('TokenProjection — revocation memory is bounded (item 16)', () => {
  const apply = (p: TokenProjection, events: LatchkeyEvent[]) => events.forEach((e) => p.apply(e));

  it('revocations by id are forgotten after two sweeps, and the revoked token still answers revoked', () => {
    const { f, userId, registered, member } = withUser();
    const pats = Array.from({ length: 50 }, () => f.pat(userId));
    const p = new TokenProjection();
    apply(p, [registered, member, ...pats.map((t) => t.issued)]);
    apply(
      p,
      pats.map((t) =>
        f.event('GrantRevoked', t.grantId, {
          grantId: t.grantId,
          userId,
          reason: 'user_request',
          revokedAt: new Date().toISOString(),
        }),
      ),
    );
    expect(p.revocationsById).toBe(50);
    p.evictExpired();
    expect(p.revocationsById).toBe(50); // kept one more sweep interval
    p.evictExpired();
    expect(p.revocationsById).toBe(0);
    expect(p.tombstones).toBe(50);
    expect(pats.every((t) => verifyToken(p, t.token).active === false)).toBe(true);
    expect(verifyToken(p, pats[0].token)).toEqual({ active: false, reason: 'grant_revoked' });
  });

  it('a revocation applied before its TokenIssued still wins within the sweep window', () => {
    const { f, userId, registered, member } = withUser();
    const pat = f.pat(userId);
    const p = new TokenProjection();
    apply(p, [registered, member]);
    p.apply(f.event('TokenRevoked', pat.grantId, { tokenId: pat.tokenId, grantId: pat.grantId, reason: 'x' }));
    p.evictExpired();
    p.apply(pat.issued);
    expect(verifyToken(p, pat.token)).toEqual({ active: false, reason: 'token_revoked' });
  });

  it('tombstones of revoked tokens go when the token would have expired, and never-expiring ones after the retention', () => {
    let now = Date.UTC(2026, 0, 1);
    const { f, userId, registered, member } = withUser();
    const expiring = f.pat(userId, { expiresAt: new Date(now + DAY).toISOString() });
    const forever = f.pat(userId);
    const p = new TokenProjection(() => now, { tombstoneRetentionMs: 7 * DAY });
    apply(p, [registered, member, expiring.issued, forever.issued]);
    for (const t of [expiring, forever]) {
      p.apply(
        f.event('GrantRevoked', t.grantId, {
          grantId: t.grantId,
          userId,
          reason: 'x',
          revokedAt: new Date(now).toISOString(),
        }),
      );
    }
    p.evictExpired();
    expect(p.tombstones).toBe(2);
    now += 2 * DAY;
    p.evictExpired();
    expect(p.tombstones).toBe(1);
    now += 6 * DAY;
    p.evictExpired();
    expect(p.tombstones).toBe(0);
    // forgotten: the token is unknown here (a verifier then asks token-service, which says inactive)
    expect(verifyToken(p, forever.token)).toEqual({ active: false, reason: 'unknown' });
  });
});

describe('TokenProjection — applications', () => {
  const registered = (f: EventFactory, clientId: string, extra: Record<string, unknown> = {}) =>
    f.event('ApplicationRegistered', clientId, {
      clientId,
      ownerAccountId: 'acct-1',
      name: 'App',
      clientType: 'public',
      redirectUris: ['http://127.0.0.1:3000/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      allowedScopes: [],
      accountIds: [],
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 1209600,
      firstParty: true,
      ...extra,
    } as never);

  it('knows the console by its registration’s console flag, and an ordinary application as not the console', () => {
    const f = new EventFactory();
    const [console, ordinary] = [randomUUID(), randomUUID()];
    const p = new TokenProjection();
    p.apply(registered(f, console, { console: true }));
    p.apply(registered(f, ordinary));
    expect(p.application(console)).toMatchObject({ console: true, disabled: false, accountIds: [] });
    expect(p.application(ordinary)).toMatchObject({ console: false });
  });
});

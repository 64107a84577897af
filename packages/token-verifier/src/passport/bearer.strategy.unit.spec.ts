import { randomUUID } from 'node:crypto';
import { TokenProjection } from '../projection/token-projection';
import { EventFactory } from '../testing/event-factory';
import { verifyToken } from '../verify';
import { BearerAuthError, LatchkeyBearerStrategy } from './bearer.strategy';

function run(strategy: LatchkeyBearerStrategy, headers: Record<string, string>, options?: object) {
  const calls: { success?: unknown; fail?: [unknown, unknown]; error?: unknown } = {};
  const s = Object.create(strategy) as LatchkeyBearerStrategy;
  const hooks = s as unknown as Record<string, (...args: unknown[]) => void>;
  hooks.success = (user) => void (calls.success = user);
  hooks.fail = (challenge, status) => void (calls.fail = [challenge, status]);
  hooks.error = (err) => void (calls.error = err);
  s.authenticate({ headers, url: '/x' } as never, options);
  return calls;
}

describe('LatchkeyBearerStrategy (passport)', () => {
  const f = new EventFactory();
  const userId = randomUUID();
  const projection = new TokenProjection();
  const pat = f.pat(userId);
  [
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
      permissions: ['orders:read'],
    }),
    pat.issued,
  ].forEach((e) => projection.apply(e));
  const strategy = new LatchkeyBearerStrategy({ verify: (t, o) => verifyToken(projection, t, o), isReady: true });

  it("is named 'latchkey-bearer'", () => expect(strategy.name).toBe('latchkey-bearer'));

  it('succeeds with the ActiveToken', () => {
    expect(run(strategy, { authorization: `Bearer ${pat.token}` }, { scopes: ['orders:read'] }).success).toMatchObject({
      active: true,
      subject: userId,
    });
  });

  it('fails with a 401 challenge', () => {
    expect(run(strategy, {}).fail).toEqual(['Bearer realm="latchkey"', 401]);
    expect(run(strategy, { authorization: 'Bearer nope' }).fail).toEqual([
      expect.stringContaining('error="invalid_token"'),
      401,
    ]);
  });

  it('passes 400 and 403 on as a BearerAuthError', () => {
    const bad = run(strategy, { authorization: 'Bearer' }).error as BearerAuthError;
    expect(bad).toBeInstanceOf(BearerAuthError);
    expect(bad.status).toBe(400);
    const forbidden = run(strategy, { authorization: `Bearer ${pat.token}` }, { scopes: ['orders:delete'] })
      .error as BearerAuthError;
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['WWW-Authenticate']).toContain('scope="orders:delete"');
  });
});

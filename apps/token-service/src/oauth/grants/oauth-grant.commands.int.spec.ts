import { createHash, randomUUID } from 'node:crypto';
import { hashSecret } from '@latchkey/token-format';
import { waitFor } from '@latchkey/testing';
import { TokenHarness } from '../../testing/token-harness';
import type { AuthorizationRequest } from '../authorize/authorization-request';
import type { OAuthClient } from '../clients/oauth-client';
import { BrowserState } from '../sessions/browser-state';
import { OAuthError } from '../oauth-error';
import { CODE_LIFETIME_MS, type TokenResponse } from './oauth-grant.commands';

describe('OAuth grants: consent, code, refresh, reuse (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  let now = Date.now();
  const account = randomUUID();
  let client: OAuthClient;
  let other: OAuthClient;
  const secrets: string[] = [];

  beforeAll(async () => {
    await h.startService({}, { clock: () => new Date(now) });
    [client, other] = await h.applications({ ownerAccountId: account }, { ownerAccountId: account });
  }, 120_000);
  afterAll(() => h.stopService());

  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  async function codeFor(userId: string): Promise<{ code: string; grantId: string }> {
    const request: AuthorizationRequest = {
      client,
      redirectUri: 'https://reports.example.com/callback',
      redirectUriGiven: true,
      scopes: ['orders:read', 'orders:update'],
      codeChallenge: challenge,
      state: 's',
    };
    const grantId = await h.ctx.oauth.consent(request, userId, [account]);
    const code = await h.ctx.oauth.issueCode(grantId, request, userId);
    secrets.push(code);
    return { code, grantId };
  }
  const redeem = (code: string, over: Partial<Parameters<typeof h.ctx.oauth.redeemCode>[0]> = {}) =>
    h.ctx.oauth.redeemCode({
      code,
      client,
      redirectUri: 'https://reports.example.com/callback',
      verifier,
      ...over,
    });
  async function refused(p: Promise<unknown>): Promise<OAuthError> {
    try {
      await p;
    } catch (e) {
      if (e instanceof OAuthError) return e;
      throw e;
    }
    throw new Error('expected an OAuth error');
  }
  const keep = (t: TokenResponse) => {
    secrets.push(t.access_token, t.refresh_token ?? '');
    return t;
  };
  const active = (token: string) => h.ctx.runtime.verifier.verify(token, { account }).active;
  async function grantRevoked(grantId: string): Promise<string | null> {
    const [row] = await h.ctx.runtime.dataSource.query('SELECT revoke_reason FROM oauth_grants WHERE grant_id = $1', [
      grantId,
    ]);
    return row?.revoke_reason ?? null;
  }

  it('a code becomes an access and a refresh token that verify at once; a second valid redemption revokes the grant', async () => {
    const userId = await h.user('human', { [account]: ['orders:read', 'orders:update'] });
    const { code, grantId } = await codeFor(userId);
    const tokens = keep(await redeem(code));
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'orders:read orders:update' });
    expect(tokens.access_token).toMatch(/^lk_at_/);
    expect(tokens.refresh_token).toMatch(/^lk_rt_/);
    expect(active(tokens.access_token)).toBe(true);

    const again = await refused(redeem(code));
    expect(again.body()).toEqual({
      error: 'invalid_grant',
      error_description: 'the authorization code was already used',
    });
    expect(await grantRevoked(grantId)).toBe('code_reuse');
    expect(active(tokens.access_token)).toBe(false);
  }, 60_000);

  it('a replay with a wrong verifier, another client or another redirect URI revokes nothing, and the code still works', async () => {
    const userId = await h.user('human', { [account]: ['orders:read', 'orders:update'] });
    const { code, grantId } = await codeFor(userId);
    for (const over of [
      { verifier: verifier.replace('d', 'e') },
      { verifier: undefined },
      { client: other },
      { redirectUri: 'https://reports.example.com/callback/' },
      { redirectUri: undefined },
    ]) {
      expect((await refused(redeem(code, over))).code).toBe('invalid_grant');
    }
    expect((await refused(redeem('no-such-code'))).code).toBe('invalid_grant');
    expect(await grantRevoked(grantId)).toBeNull();
    expect(active(keep(await redeem(code)).access_token)).toBe(true);
  }, 60_000);

  it('a code whose request left out redirect_uri may be redeemed without one (RFC 6749 §4.1.3), or with the one it resolved to', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const request: AuthorizationRequest = {
      client,
      redirectUri: 'https://reports.example.com/callback',
      redirectUriGiven: false,
      scopes: ['orders:read'],
      codeChallenge: challenge,
      state: null,
    };
    const grantId = await h.ctx.oauth.consent(request, userId, [account]);
    for (const redirectUri of [undefined, 'https://reports.example.com/callback']) {
      const code = await h.ctx.oauth.issueCode(grantId, request, userId);
      secrets.push(code);
      expect(active(keep(await redeem(code, { redirectUri })).access_token)).toBe(true);
    }
    const code = await h.ctx.oauth.issueCode(grantId, request, userId);
    expect((await refused(redeem(code, { redirectUri: 'https://reports.example.com/other' }))).code).toBe(
      'invalid_grant',
    );
  }, 60_000);

  it('of 10 concurrent redemptions of one code exactly one succeeds (and the reuse revokes the grant)', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const { code, grantId } = await codeFor(userId);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => redeem(code)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as OAuthError).code).toBe('invalid_grant');
    keep((won[0] as PromiseFulfilledResult<TokenResponse>).value);
    expect(await grantRevoked(grantId)).toBe('code_reuse');
  }, 60_000);

  it('an expired code is refused', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const { code } = await codeFor(userId);
    now += CODE_LIFETIME_MS + 1;
    try {
      expect((await refused(redeem(code))).code).toBe('invalid_grant');
    } finally {
      now = Date.now();
    }
  }, 60_000);

  it('refreshing rotates; the rotated token presented again revokes the grant and every token of it', async () => {
    const userId = await h.user('human', { [account]: ['orders:read', 'orders:update'] });
    const { code, grantId } = await codeFor(userId);
    const first = keep(await redeem(code));
    const second = keep(await h.ctx.oauth.refresh({ refreshToken: first.refresh_token!, client, scope: null }));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(active(second.access_token)).toBe(true);
    // narrowing only; the narrowed refresh keeps the refresh token's own scopes (RFC 6749 §6)
    const third = keep(
      await h.ctx.oauth.refresh({ refreshToken: second.refresh_token!, client, scope: ['orders:read'] }),
    );
    expect(third.scope).toBe('orders:read');
    const fourth = keep(
      await h.ctx.oauth.refresh({ refreshToken: third.refresh_token!, client, scope: ['orders:update'] }),
    );
    expect(fourth.scope).toBe('orders:update');
    expect(
      (await refused(h.ctx.oauth.refresh({ refreshToken: fourth.refresh_token!, client, scope: ['users:read'] }))).code,
    ).toBe('invalid_scope');
    // another client cannot use it, and that revokes nothing
    expect(
      (await refused(h.ctx.oauth.refresh({ refreshToken: fourth.refresh_token!, client: other, scope: null }))).code,
    ).toBe('invalid_grant');
    expect(await grantRevoked(grantId)).toBeNull();
    // reuse of a rotated token
    expect((await refused(h.ctx.oauth.refresh({ refreshToken: first.refresh_token!, client, scope: null }))).code).toBe(
      'invalid_grant',
    );
    expect(await grantRevoked(grantId)).toBe('refresh_reuse');
    expect(active(fourth.access_token)).toBe(false);
    expect(
      (await refused(h.ctx.oauth.refresh({ refreshToken: fourth.refresh_token!, client, scope: null }))).code,
    ).toBe('invalid_grant');
  }, 60_000);

  it('a grant used for long folds from its snapshot: the state stays small and reuse detection still holds', async () => {
    const userId = await h.user('human', { [account]: ['orders:read', 'orders:update'] });
    const { code, grantId } = await codeFor(userId);
    const tokens: TokenResponse[] = [keep(await redeem(code))];
    for (let i = 0; i < 40; i++)
      tokens.push(keep(await h.ctx.oauth.refresh({ refreshToken: tokens[i].refresh_token!, client, scope: null })));
    const db = h.ctx.runtime.dataSource;
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [grantId]);
    expect(n).toBe(1 + 2 + 40 * 3); // created, the first pair, then rotation + pair per refresh
    const [snap] = await db.query(
      `SELECT version, state, length(state::text) AS bytes FROM stream_snapshots WHERE stream_id = $1 AND name = 'oauth-grant@1'`,
      [grantId],
    );
    expect(snap.version).toBeGreaterThan(n - 32 - 3);
    expect(snap.state).toMatchObject({ status: 'active', grantId, userId, clientId: client.clientId });
    expect(snap.bytes).toBeLessThan(600);
    expect(active(tokens[40].access_token)).toBe(true);
    // a token rotated long before the snapshot presented again still ends the grant
    expect(
      (await refused(h.ctx.oauth.refresh({ refreshToken: tokens[2].refresh_token!, client, scope: null }))).code,
    ).toBe('invalid_grant');
    expect(await grantRevoked(grantId)).toBe('refresh_reuse');
    expect(active(tokens[40].access_token)).toBe(false);
    const [after] = await db.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [grantId]);
    expect(after.n).toBe(n + 1); // one GrantRevoked, decided on the snapshot's state + the events after it
  }, 60_000);

  it('a deactivated user’s OAuth grants are revoked by the reaction, like their PATs', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const { code, grantId } = await codeFor(userId);
    const tokens = keep(await redeem(code));
    const { grantId: unused } = await codeFor(userId); // consent remembered, no token issued yet
    const sessions = new BrowserState(h.ctx.runtime.dataSource, () => new Date());
    const signedIn = await sessions.startSession(userId, 'test');
    expect(await sessions.sessionUser(signedIn)).toBe(userId);
    await h.publish(h.topics.identity, [
      h.factory.event('UserDeactivated', userId, { userId, reason: 'left the company' }),
    ]);
    await waitFor(async () => (await grantRevoked(grantId)) === 'user_deactivated', {
      what: 'the OAuth grant revoked on deactivation',
    });
    expect(active(tokens.access_token)).toBe(false);
    await waitFor(async () => (await grantRevoked(unused)) === 'user_deactivated', {
      what: 'the grant without tokens revoked too (no remembered consent survives a deactivation)',
    });
    expect(await sessions.sessionUser(signedIn)).toBeNull(); // signed out of the authorization server
  }, 60_000);

  it('a narrowed application loses the scope at once: at the verifier and at introspection', async () => {
    const userId = await h.user('human', { [account]: ['orders:read', 'orders:update'] });
    const { code } = await codeFor(userId);
    const tokens = keep(await redeem(code));
    const effective = () => {
      const r = h.ctx.runtime.verifier.verify(tokens.access_token, { account });
      return r.active ? r.effectiveScopes : r.reason;
    };
    expect(effective()).toEqual(['orders:read', 'orders:update']);
    await h.publish(h.topics.applications, [
      h.factory.event('ApplicationUpdated', client.clientId, {
        clientId: client.clientId,
        allowedScopes: ['orders:read'],
      }),
    ]);
    await waitFor(() => JSON.stringify(effective()) === JSON.stringify(['orders:read']), {
      what: 'the verifier to apply the narrowed ceiling',
    });
    await waitFor(
      async () => (await h.ctx.introspection.answer(hashSecret(tokens.access_token))).scope === 'orders:read',
      { what: 'introspection to apply the narrowed ceiling' },
    );
  }, 60_000);

  it('an application removed from an account loses it at once (verifier and introspection)', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const { code } = await codeFor(userId);
    const tokens = keep(await redeem(code));
    expect(active(tokens.access_token)).toBe(true);
    await h.publish(h.topics.applications, [
      h.factory.event('ApplicationUpdated', client.clientId, { clientId: client.clientId, accountIds: [randomUUID()] }),
    ]);
    await waitFor(() => !active(tokens.access_token), { what: 'the verifier to apply the application’s accounts' });
    expect(h.ctx.runtime.verifier.verify(tokens.access_token, { account })).toEqual({
      active: false,
      reason: 'account_not_allowed',
    });
    await waitFor(async () => (await h.ctx.introspection.answer(hashSecret(tokens.access_token))).active === false, {
      what: 'introspection to apply the application’s accounts',
    });
  }, 60_000);

  it('keeps no code or token in any table or event (runs last)', async () => {
    expect(secrets.filter(Boolean).length).toBeGreaterThan(10);
    const tables: Array<{ table_name: string }> = await h.ctx.runtime.dataSource.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    for (const { table_name } of tables) {
      const rows: unknown[] = await h.ctx.runtime.dataSource.query(`SELECT * FROM "${table_name}"`);
      const dump = JSON.stringify(rows);
      for (const s of secrets.filter(Boolean))
        expect({ table_name, leaked: dump.includes(s) }).toEqual({ table_name, leaked: false });
    }
  }, 60_000);
});

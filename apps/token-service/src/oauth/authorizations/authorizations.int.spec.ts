import { createHash, randomUUID } from 'node:crypto';
import { TokenHarness } from '../../testing/token-harness';
import type { AuthorizationRequest } from '../authorize/authorization-request';
import type { OAuthClient } from '../clients/oauth-client';
import type { TokenResponse } from '../grants/oauth-grant.commands';

describe('Access & Security: /v1/me/authorizations and /v1/accounts/{a}/grants (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  let client: OAuthClient;
  const REDIRECT = 'https://reports.example.com/callback';
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const PERMISSIONS = ['orders:read', 'grants:read', 'grants:delete', 'personal_access_tokens:read'];

  beforeAll(async () => {
    await h.startService();
    [client] = await h.applications({
      ownerAccountId: account,
      redirectUris: [REDIRECT],
      // a ceiling as broad as a careless registration could make it: the token must still not manage tokens
      allowedScopes: [
        'orders:read',
        'grants:read',
        'grants:delete',
        'personal_access_tokens:read',
        'personal_access_tokens:create',
        'account_tokens:read',
      ],
    });
  }, 120_000);
  afterAll(() => h.stopService());

  async function authorized(
    userId: string,
    request_scopes: string[] = ['orders:read'],
  ): Promise<{ grantId: string; tokens: TokenResponse }> {
    const request: AuthorizationRequest = {
      client,
      redirectUri: REDIRECT,
      redirectUriGiven: true,
      scopes: request_scopes,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      state: null,
    };
    const grantId = await h.ctx.oauth.consent(request, userId, [account]);
    const code = await h.ctx.oauth.issueCode(grantId, request, userId);
    const tokens = await h.ctx.oauth.redeemCode({ code, client, redirectUri: REDIRECT, verifier });
    return { grantId, tokens };
  }
  const call = (method: 'GET' | 'DELETE', url: string, token: string) =>
    h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

  it('lists the applications a user authorized, and revoking one stops its tokens at once', async () => {
    const userId = await h.user('human', { [account]: PERMISSIONS });
    const { grantId, tokens } = await authorized(userId);
    const pat = await h.tokenFor(userId, [account], ['grants:read', 'grants:delete']);

    const list = await call('GET', '/v1/me/authorizations', pat);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      items: [
        {
          grantId,
          kind: 'authorization',
          userId,
          application: { clientId: client.clientId, name: 'Reports', ownerAccountId: account },
          scopes: ['orders:read'],
          accountIds: [account],
          createdAt: expect.any(String),
          lastUsedAt: null,
        },
      ],
      nextCursor: null,
    });

    expect(h.ctx.runtime.verifier.verify(tokens.access_token, { account }).active).toBe(true);
    expect((await call('DELETE', `/v1/me/authorizations/${grantId}`, pat)).statusCode).toBe(204);
    expect(h.ctx.runtime.verifier.verify(tokens.access_token, { account })).toEqual({
      active: false,
      reason: 'grant_revoked',
    });
    await expect(h.ctx.oauth.refresh({ refreshToken: tokens.refresh_token!, client, scope: null })).rejects.toThrow();
    expect((await call('GET', '/v1/me/authorizations', pat)).json().items).toEqual([]);
    expect((await call('DELETE', `/v1/me/authorizations/${grantId}`, pat)).statusCode).toBe(404);
  }, 60_000);

  it('a third-party access token cannot see or revoke its owner’s authorizations, nor manage the owner’s PATs — even with those scopes', async () => {
    const userId = await h.user('human', {
      [account]: [...PERMISSIONS, 'personal_access_tokens:create', 'account_tokens:read'],
    });
    const { grantId, tokens } = await authorized(userId);
    const broad = await authorized(userId, [
      'grants:read',
      'grants:delete',
      'personal_access_tokens:read',
      'personal_access_tokens:create',
      'account_tokens:read',
    ]);
    for (const token of [tokens.access_token, broad.tokens.access_token])
      for (const [method, url] of [
        ['GET', '/v1/me/authorizations'],
        ['DELETE', `/v1/me/authorizations/${grantId}`],
        ['GET', '/v1/personal-access-tokens'],
        ['GET', `/v1/accounts/${account}/personal-access-tokens`],
        ['GET', `/v1/accounts/${account}/grants`],
      ] as const) {
        const res = await call(method, url, token);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 403 });
      }
    const minted = await h.app.inject({
      method: 'POST',
      url: '/v1/personal-access-tokens',
      headers: { authorization: `Bearer ${broad.tokens.access_token}` },
      payload: { name: 'escape hatch', scopes: ['orders:read'], accountIds: [account] },
    });
    expect([minted.statusCode, minted.json().code]).toEqual([403, 'personal_token_required']);
    const withoutDelete = await h.tokenFor(userId, [account], ['grants:read']);
    expect((await call('DELETE', `/v1/me/authorizations/${grantId}`, withoutDelete)).statusCode).toBe(403);
    expect(h.ctx.runtime.verifier.verify(tokens.access_token, { account }).active).toBe(true);
  }, 60_000);

  it('another user’s authorization is not found', async () => {
    const owner = await h.user('human', { [account]: PERMISSIONS });
    const { grantId } = await authorized(owner);
    const other = await h.user('human', { [account]: PERMISSIONS });
    const pat = await h.tokenFor(other, [account], ['grants:read', 'grants:delete']);
    expect((await call('DELETE', `/v1/me/authorizations/${grantId}`, pat)).statusCode).toBe(404);
    expect((await call('GET', '/v1/me/authorizations', pat)).json().items).toEqual([]);
    expect((await call('DELETE', '/v1/me/authorizations/not-a-uuid', pat)).statusCode).toBe(400);
  }, 60_000);

  it('an account’s administrators list and revoke the grants acting in it; members may not', async () => {
    const userId = await h.user('human', { [account]: PERMISSIONS });
    const { grantId, tokens } = await authorized(userId);
    const admin = await h.user('human', { [account]: ['account_tokens:read', 'account_tokens:delete'] });
    const adminPat = await h.tokenFor(admin, [account], ['account_tokens:read', 'account_tokens:delete']);
    const listed = await call('GET', `/v1/accounts/${account}/grants?limit=100`, adminPat);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((g: { grantId: string }) => g.grantId)).toContain(grantId);
    const member = await h.tokenFor(userId, [account], ['grants:read', 'grants:delete']);
    expect((await call('GET', `/v1/accounts/${account}/grants`, member)).statusCode).toBe(403);
    expect((await call('DELETE', `/v1/accounts/${randomUUID()}/grants/${grantId}`, adminPat)).statusCode).toBe(403);
    expect((await call('DELETE', `/v1/accounts/${account}/grants/${grantId}`, adminPat)).statusCode).toBe(204);
    expect(h.ctx.runtime.verifier.verify(tokens.access_token, { account }).active).toBe(false);
  }, 60_000);
});

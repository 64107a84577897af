import { createHash, randomUUID } from 'node:crypto';
import { generateSecret, hashSecret } from '@latchkey/token-format';
import { TokenHarness } from '../../testing/token-harness';
import type { AuthorizationRequest } from '../authorize/authorization-request';
import type { OAuthClient } from '../clients/oauth-client';

describe('POST /oauth/token (real PostgreSQL + Kafka, over HTTP)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  const secret = generateSecret('cs');
  let confidential: OAuthClient;
  let spa: OAuthClient;
  let machine: OAuthClient;
  const REDIRECT = 'https://reports.example.com/callback';
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  beforeAll(async () => {
    await h.startService();
    const common = { ownerAccountId: account, redirectUris: [REDIRECT], accessTokenTtlSeconds: 600, secret };
    [confidential, spa, machine] = await h.applications(
      common,
      { ...common, clientType: 'public' },
      { ...common, grantTypes: ['client_credentials'], redirectUris: [] },
    );
  }, 120_000);
  afterAll(() => h.stopService());

  const basic = (id: string, s: string) => `Basic ${Buffer.from(`${id}:${s}`).toString('base64')}`;
  const post = (
    form: Record<string, string> | string,
    authorization?: string,
    contentType = 'application/x-www-form-urlencoded',
  ) =>
    h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
      payload: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    });

  async function code(client: OAuthClient): Promise<string> {
    const userId = await h.user('human', { [account]: ['orders:read', 'orders:update'] });
    const request: AuthorizationRequest = {
      client,
      redirectUri: REDIRECT,
      redirectUriGiven: true,
      scopes: ['orders:read'],
      codeChallenge: challenge,
      state: null,
    };
    const grantId = await h.ctx.oauth.consent(request, userId, [account]);
    return h.ctx.oauth.issueCode(grantId, request, userId);
  }
  const exchange = (c: string) => ({
    grant_type: 'authorization_code',
    code: c,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
  });

  it('exchanges a code with client_secret_basic: tokens, never cached; then refreshes with client_secret_post', async () => {
    const res = await post(exchange(await code(confidential)), basic(confidential.clientId, secret));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    const body = res.json();
    expect(body).toEqual({
      access_token: expect.stringMatching(/^lk_at_/),
      token_type: 'Bearer',
      expires_in: 600,
      refresh_token: expect.stringMatching(/^lk_rt_/),
      scope: 'orders:read',
    });
    expect(h.ctx.runtime.verifier.verify(body.access_token, { account, requiredScopes: ['orders:read'] }).active).toBe(
      true,
    );

    const refreshed = await post({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      client_id: confidential.clientId,
      client_secret: secret,
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().refresh_token).not.toBe(body.refresh_token);
  }, 60_000);

  it('a public client exchanges its code with client_id alone (PKCE is its proof)', async () => {
    const res = await post({ ...exchange(await code(spa)), client_id: spa.clientId });
    expect(res.statusCode).toBe(200);
    expect(res.json().access_token).toMatch(/^lk_at_/);
  }, 60_000);

  it('client_credentials: an application acting as itself, within its ceiling, no refresh token', async () => {
    const res = await post({ grant_type: 'client_credentials', scope: 'orders:read' }, basic(machine.clientId, secret));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      access_token: expect.stringMatching(/^lk_at_/),
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'orders:read',
    });
    expect(h.ctx.runtime.verifier.verify(body.access_token, { account, requiredScopes: ['orders:read'] }).active).toBe(
      true,
    );
    const again = await post({ grant_type: 'client_credentials' }, basic(machine.clientId, secret));
    expect(again.json().scope).toBe('orders:read orders:update');
  }, 60_000);

  it('answers client authentication failures 401 invalid_client, with a challenge after Basic', async () => {
    const c = await code(confidential);
    const wrong = await post(exchange(c), basic(confidential.clientId, 'lk_cs_wrong'));
    expect([wrong.statusCode, wrong.json().error]).toEqual([401, 'invalid_client']);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic realm="latchkey"/);
    const post401 = await post({ ...exchange(c), client_id: confidential.clientId, client_secret: 'nope' });
    expect([post401.statusCode, post401.json().error, post401.headers['www-authenticate']]).toEqual([
      401,
      'invalid_client',
      undefined,
    ]);
    const none = await post({ ...exchange(c), client_id: confidential.clientId });
    expect([none.statusCode, none.json().error]).toEqual([401, 'invalid_client']);
    // the code was not spent by any of these
    expect((await post(exchange(c), basic(confidential.clientId, secret))).statusCode).toBe(200);
  }, 60_000);

  describe('POST /oauth/introspect and /oauth/revoke (RFC 7662, RFC 7009)', () => {
    const form = (path: string, fields: Record<string, string>, authorization?: string) =>
      h.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
        payload: new URLSearchParams(fields).toString(),
      });
    const mine = () => basic(confidential.clientId, secret);
    async function tokens(): Promise<{ access_token: string; refresh_token: string }> {
      return (await post(exchange(await code(confidential)), mine())).json();
    }
    const introspect = async (token: string, authorization = mine()) =>
      (await form('/oauth/introspect', { token }, authorization)).json();

    it('a client introspects its own tokens; anything else is exactly {"active": false}', async () => {
      const t = await tokens();
      expect(await introspect(t.access_token)).toEqual({
        active: true,
        scope: 'orders:read',
        client_id: confidential.clientId,
        token_type: 'Bearer',
        exp: expect.any(Number),
        sub: expect.any(String),
      });
      expect(await introspect(t.refresh_token)).toMatchObject({ active: true, token_type: 'refresh_token' });
      for (const other of [generateSecret('at'), 'garbage', generateSecret('cs'), 'lk_at_short'])
        expect(await introspect(other)).toEqual({ active: false });
      expect(await introspect(t.access_token, basic(machine.clientId, secret))).toEqual({ active: false });
      const noToken = await form('/oauth/introspect', {}, mine());
      expect([noToken.statusCode, noToken.json().error]).toEqual([400, 'invalid_request']);
      const anonymous = await form('/oauth/introspect', { token: t.access_token });
      expect([anonymous.statusCode, anonymous.json().error]).toEqual([401, 'invalid_client']);
    }, 60_000);

    it('the internal introspection never calls a refresh token active (refresh tokens stay at token-service)', async () => {
      const t = await tokens();
      expect(await h.ctx.introspection.answer(hashSecret(t.refresh_token))).toEqual({ active: false });
      expect((await h.ctx.introspection.answer(hashSecret(t.access_token))).active).toBe(true);
      // nor does the PAT check route
      const checker = await h.tokenFor(
        await h.user('human', { [account]: ['personal_access_tokens:read'] }),
        [account],
        ['personal_access_tokens:read'],
      );
      const checked = await h.app.inject({
        method: 'POST',
        url: '/v1/personal-access-tokens/check',
        headers: { authorization: `Bearer ${checker}` },
        payload: { token: t.refresh_token },
      });
      expect(checked.json()).toMatchObject({ active: false });
    }, 60_000);

    it('revoking an access token ends that token only; revoking a refresh token ends the grant', async () => {
      const t = await tokens();
      const r1 = await form('/oauth/revoke', { token: t.access_token, token_type_hint: 'access_token' }, mine());
      expect([r1.statusCode, r1.body]).toEqual([200, '']);
      expect(await introspect(t.access_token)).toEqual({ active: false });
      expect(h.ctx.runtime.verifier.verify(t.access_token).active).toBe(false);
      const refreshed = (await post({ grant_type: 'refresh_token', refresh_token: t.refresh_token }, mine())).json();
      expect(refreshed.access_token).toMatch(/^lk_at_/);

      const r2 = await form('/oauth/revoke', { token: refreshed.refresh_token }, mine());
      expect(r2.statusCode).toBe(200);
      expect(await introspect(refreshed.access_token)).toEqual({ active: false });
      expect(h.ctx.runtime.verifier.verify(refreshed.access_token).active).toBe(false);
    }, 60_000);

    it('another client’s or an unknown token: 200 and nothing revoked; a bad request is an RFC error', async () => {
      const t = await tokens();
      const foreign = await form('/oauth/revoke', { token: t.access_token }, basic(machine.clientId, secret));
      expect(foreign.statusCode).toBe(200);
      expect((await introspect(t.access_token)).active).toBe(true);
      expect((await form('/oauth/revoke', { token: generateSecret('rt') }, mine())).statusCode).toBe(200);
      const hint = await form('/oauth/revoke', { token: t.access_token, token_type_hint: 'id_token' }, mine());
      expect([hint.statusCode, hint.json().error]).toEqual([400, 'unsupported_token_type']);
      const missing = await form('/oauth/revoke', {}, mine());
      expect([missing.statusCode, missing.json().error]).toEqual([400, 'invalid_request']);
      const anonymous = await form('/oauth/revoke', { token: t.access_token });
      expect([anonymous.statusCode, anonymous.json().error]).toEqual([401, 'invalid_client']);
    }, 60_000);
  });

  const auth = () => basic(confidential.clientId, secret);
  const BAD: Array<[string, () => ReturnType<typeof post>, number, string]> = [
    ['no grant_type', () => post({ code: 'x' }, auth()), 400, 'invalid_request'],
    ['empty grant_type', () => post({ grant_type: '' }, auth()), 400, 'invalid_request'],
    [
      'password grant',
      () => post({ grant_type: 'password', username: 'a', password: 'b' }, auth()),
      400,
      'unsupported_grant_type',
    ],
    ['implicit', () => post({ grant_type: 'implicit' }, auth()), 400, 'unsupported_grant_type'],
    [
      'a grant the client may not use',
      () => post({ grant_type: 'client_credentials' }, auth()),
      400,
      'unauthorized_client',
    ],
    [
      'no code',
      () => post({ grant_type: 'authorization_code', redirect_uri: REDIRECT, code_verifier: verifier }, auth()),
      400,
      'invalid_request',
    ],
    ['an unknown code', () => post(exchange('nope'), auth()), 400, 'invalid_grant'],
    ['a code of 10,000 characters', () => post(exchange('c'.repeat(10_000)), auth()), 400, 'invalid_grant'],
    ['no refresh_token', () => post({ grant_type: 'refresh_token' }, auth()), 400, 'invalid_request'],
    [
      'a malformed refresh token',
      () => post({ grant_type: 'refresh_token', refresh_token: 'lk_rt_x' }, auth()),
      400,
      'invalid_grant',
    ],
    [
      'an access token as refresh token',
      () => post({ grant_type: 'refresh_token', refresh_token: generateSecret('at') }, auth()),
      400,
      'invalid_grant',
    ],
    [
      'a well-formed unknown refresh token',
      () => post({ grant_type: 'refresh_token', refresh_token: generateSecret('rt') }, auth()),
      400,
      'invalid_grant',
    ],
    [
      'a bad scope',
      () => post({ grant_type: 'refresh_token', refresh_token: generateSecret('rt'), scope: 'orders:read  x' }, auth()),
      400,
      'invalid_scope',
    ],
    [
      'a scope beyond the client',
      () => post({ grant_type: 'refresh_token', refresh_token: generateSecret('rt'), scope: 'users:delete' }, auth()),
      400,
      'invalid_scope',
    ],
    ['a repeated parameter', () => post('grant_type=authorization_code&code=a&code=b', auth()), 400, 'invalid_request'],
    [
      'a JSON body',
      () => post(JSON.stringify({ grant_type: 'client_credentials' }), auth(), 'application/json'),
      400,
      'invalid_request',
    ],
    ['no client at all', () => post({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
    [
      'an unknown client',
      () => post({ grant_type: 'client_credentials' }, basic(randomUUID(), secret)),
      401,
      'invalid_client',
    ],
    [
      'Bearer instead of Basic',
      () => post({ grant_type: 'client_credentials' }, `Bearer ${secret}`),
      401,
      'invalid_client',
    ],
    [
      'Basic and client_secret both',
      () => post({ grant_type: 'client_credentials', client_secret: secret }, auth()),
      400,
      'invalid_request',
    ],
    [
      'a body client_id of another client',
      () => post({ grant_type: 'client_credentials', client_id: spa.clientId }, auth()),
      400,
      'invalid_request',
    ],
    [
      'a public client with a secret',
      () => post({ grant_type: 'authorization_code', client_id: spa.clientId, client_secret: 'x' }),
      401,
      'invalid_client',
    ],
  ];
  it.each(BAD)('answers %s with the RFC error body, never a 5xx', async (_what, send, status, error) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ error, error_description: expect.any(String) });
  });
});

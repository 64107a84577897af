import { createHash, randomUUID } from 'node:crypto';
import { actionOf, Browser, csrfOf, FakeLoginCheck, TEST_ISSUER } from '../testing/oauth-browser';
import { TokenHarness } from '../testing/token-harness';
import type { OAuthClient } from './clients/oauth-client';

type Answer = Awaited<ReturnType<TokenHarness['app']['inject']>>;
/** What a malformed request must get: the RFC's JSON error, an error page, or a redirect carrying the error. */
type Expected =
  | { json: number; error: string }
  | { json: 200; body: unknown }
  | { page: number }
  | { redirect: string }
  | { status: number };

/**
 * Malformed requests to every OAuth endpoint but the token endpoint (whose own table is in
 * token/token.controller.int.spec.ts): the revocation, introspection and PAR endpoints answer the
 * RFC's `{"error", "error_description"}`; the authorization endpoint answers an error page until
 * the client and redirect URI are trusted and a redirect with `error` and `iss` after; the
 * interaction and sign-out pages answer error pages. Never a 5xx, never a stack.
 */
describe('OAuth endpoints: malformed requests get the RFC answer, never a 5xx (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const loginCheck = new FakeLoginCheck();
  const account = randomUUID();
  const REDIRECT = 'https://reports.example.com/callback';
  const SECRET = 'lk_cs_bad_input';
  const challenge = createHash('sha256').update('v'.repeat(43)).digest('base64url');
  let client: OAuthClient;
  /** A browser signed in, on the consent page of a live interaction. */
  let browser: Browser;
  let consentAction: string;
  let consentCsrf: string;
  let loginAction: string;

  beforeAll(async () => {
    await h.startService({
      ...(await loginCheck.start()),
    });
    [client] = await h.applications({ ownerAccountId: account, redirectUris: [REDIRECT], secret: SECRET });
    const userId = await h.user('human', { [account]: ['orders:read'] });
    loginCheck.users.set(`${userId}@example.com`, { userId, password: 'pw' });
    browser = new Browser(h);
    const interaction = String((await browser.get(authorize())).headers.location);
    const login = await browser.get(interaction);
    loginAction = actionOf(login.body);
    await browser.post(loginAction, { csrf: csrfOf(login.body), email: `${userId}@example.com`, password: 'pw' });
    const consent = await browser.get(interaction);
    consentAction = actionOf(consent.body);
    consentCsrf = csrfOf(consent.body);
    expect(consentAction).toMatch(/\/consent$/);
  }, 120_000);
  afterAll(async () => {
    await h.stopService();
    await loginCheck.stop();
  });

  function authorize(over: Record<string, string | string[] | undefined> = {}): string {
    const all: Record<string, string | string[] | undefined> = {
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'orders:read',
      state: 'st',
      ...over,
    };
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(all)) for (const one of v === undefined ? [] : [v].flat()) q.append(k, one);
    return `/oauth/authorize?${q}`;
  }
  const basic = (id = client.clientId, secret = SECRET) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const post = (
    url: string,
    body: Record<string, string> | string,
    authorization: string | null = basic(),
    type = 'application/x-www-form-urlencoded',
  ) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': type, ...(authorization ? { authorization } : {}) },
      payload: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
    });
  const par = (over: Record<string, string | undefined>, authorization: string | null = basic()) => {
    const fields = Object.fromEntries(
      Object.entries({
        response_type: 'code',
        redirect_uri: REDIRECT,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'orders:read',
        ...over,
      }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return post('/oauth/par', fields, authorization);
  };
  const get = (url: string, withCookies = false) =>
    withCookies ? browser.get(url) : h.app.inject({ method: 'GET', url });

  const CASES: Array<[string, () => Promise<Answer>, Expected]> = [
    // RFC 7009 revocation
    ['revoke: no token', () => post('/oauth/revoke', {}), { json: 400, error: 'invalid_request' }],
    ['revoke: an empty token', () => post('/oauth/revoke', { token: '' }), { json: 400, error: 'invalid_request' }],
    [
      'revoke: a repeated token',
      () => post('/oauth/revoke', 'token=a&token=b'),
      { json: 400, error: 'invalid_request' },
    ],
    [
      'revoke: a JSON body',
      () => post('/oauth/revoke', '{"token":"x"}', basic(), 'application/json'),
      { json: 400, error: 'invalid_request' },
    ],
    ['revoke: no client', () => post('/oauth/revoke', { token: 'x' }, null), { json: 401, error: 'invalid_client' }],
    [
      'revoke: a wrong secret',
      () => post('/oauth/revoke', { token: 'x' }, basic(client.clientId, 'lk_cs_wrong')),
      { json: 401, error: 'invalid_client' },
    ],
    [
      'revoke: an unknown token_type_hint',
      () => post('/oauth/revoke', { token: 'x', token_type_hint: 'id_token' }),
      { json: 400, error: 'unsupported_token_type' },
    ],
    // RFC 7662 introspection
    ['introspect: no token', () => post('/oauth/introspect', {}), { json: 400, error: 'invalid_request' }],
    [
      'introspect: no client',
      () => post('/oauth/introspect', { token: 'x' }, null),
      { json: 401, error: 'invalid_client' },
    ],
    [
      'introspect: a Basic header that is not base64 id:secret',
      () => post('/oauth/introspect', { token: 'x' }, 'Basic %%%'),
      { json: 401, error: 'invalid_client' },
    ],
    [
      'introspect: a text/plain body',
      () => post('/oauth/introspect', 'token=x', basic(), 'text/plain'),
      { json: 400, error: 'invalid_request' },
    ],
    [
      'introspect: a token of 10,000 characters',
      () => post('/oauth/introspect', { token: 'lk_at_'.padEnd(10_000, 'x') }),
      { json: 200, body: { active: false } },
    ],
    // RFC 9126 pushed authorization requests
    ['par: no client', () => par({}, null), { json: 401, error: 'invalid_client' }],
    [
      'par: a JSON body',
      () => post('/oauth/par', '{"response_type":"code"}', basic(), 'application/json'),
      { json: 400, error: 'invalid_request' },
    ],
    ['par: no response_type', () => par({ response_type: undefined }), { json: 400, error: 'invalid_request' }],
    [
      'par: response_type=token',
      () => par({ response_type: 'token' }),
      { json: 400, error: 'unsupported_response_type' },
    ],
    ['par: no code_challenge', () => par({ code_challenge: undefined }), { json: 400, error: 'invalid_request' }],
    ['par: PKCE plain', () => par({ code_challenge_method: 'plain' }), { json: 400, error: 'invalid_request' }],
    ['par: a challenge too short', () => par({ code_challenge: 'abc' }), { json: 400, error: 'invalid_request' }],
    [
      'par: a scope with two spaces',
      () => par({ scope: 'orders:read  orders:read' }),
      { json: 400, error: 'invalid_scope' },
    ],
    [
      'par: an unregistered redirect_uri',
      () => par({ redirect_uri: 'https://evil.example/cb' }),
      { json: 400, error: 'invalid_request' },
    ],
    [
      'par: a request_uri',
      () => par({ request_uri: 'urn:ietf:params:oauth:request_uri:x' }),
      { json: 400, error: 'invalid_request' },
    ],
    [
      'par: a request object',
      () => par({ request: 'eyJhbGciOiJub25lIn0.e30.' }),
      { json: 400, error: 'invalid_request' },
    ],
    [
      'par: a state of 3,000 characters',
      () => par({ state: 's'.repeat(3000) }),
      { json: 400, error: 'invalid_request' },
    ],
    ['par: response_mode=fragment', () => par({ response_mode: 'fragment' }), { json: 400, error: 'invalid_request' }],
    [
      'par: a repeated scope',
      () => post('/oauth/par', 'response_type=code&scope=a&scope=b'),
      { json: 400, error: 'invalid_request' },
    ],
    // the authorization endpoint before the client and redirect URI are trusted: a page
    ['authorize: no parameter at all', () => get('/oauth/authorize'), { page: 400 }],
    [
      'authorize: a repeated client_id',
      () => get(authorize({ client_id: [client.clientId, client.clientId] })),
      { page: 400 },
    ],
    ['authorize: an unknown client', () => get(authorize({ client_id: randomUUID() })), { page: 400 }],
    [
      'authorize: a client_id of 10,000 characters',
      () => get(authorize({ client_id: 'c'.repeat(10_000) })),
      { page: 400 },
    ],
    [
      'authorize: a javascript: redirect_uri',
      () => get(authorize({ redirect_uri: 'javascript:alert(1)' })),
      { page: 400 },
    ],
    ['authorize: a repeated redirect_uri', () => get(authorize({ redirect_uri: [REDIRECT, REDIRECT] })), { page: 400 }],
    [
      'authorize: an unknown request_uri',
      () =>
        get(`/oauth/authorize?client_id=${client.clientId}&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax`),
      { page: 400 },
    ],
    // … and after: back to the client with the error and iss
    [
      'authorize: no code_challenge',
      () => get(authorize({ code_challenge: undefined })),
      { redirect: 'invalid_request' },
    ],
    [
      'authorize: response_type=token',
      () => get(authorize({ response_type: 'token' })),
      { redirect: 'unsupported_response_type' },
    ],
    ['authorize: a repeated state', () => get(authorize({ state: ['a', 'b'] })), { redirect: 'invalid_request' }],
    ['authorize: a scope that is no scope', () => get(authorize({ scope: '<script>' })), { redirect: 'invalid_scope' }],
    // the interaction pages
    ['interaction: an unknown id', () => get('/oauth/interaction/unknown'), { page: 400 }],
    [
      'interaction: an id of 5,000 characters',
      () => get(`/oauth/interaction/${'i'.repeat(5000)}`, true),
      { status: 414 },
    ],
    [
      'login: another browser’s interaction',
      () => post(loginAction, { csrf: 'x', email: 'a', password: 'b' }, null),
      { page: 400 },
    ],
    ['consent: no CSRF token', () => browser.post(consentAction, { decision: 'allow', account }), { page: 403 }],
    [
      'consent: a repeated decision',
      () => browser.post(consentAction, { csrf: consentCsrf, decision: ['allow', 'deny'], account }),
      { page: 400 },
    ],
    [
      'consent: a decision that is neither',
      () => browser.post(consentAction, { csrf: consentCsrf, decision: 'maybe' }),
      { page: 400 },
    ],
    [
      'logout: a session without the form’s token',
      () => browser.post('/oauth/logout', { csrf: 'forged' }),
      { page: 403 },
    ],
    // discovery takes no body
    [
      'metadata: POST',
      () => h.app.inject({ method: 'POST', url: '/.well-known/oauth-authorization-server', payload: {} }),
      { status: 404 },
    ],
  ];

  it('has at least 40 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(40));

  it.each(CASES)('%s', async (_what, send, expected) => {
    const res = await send();
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toMatch(/\bat [\w.]+ \(|stack/i);
    if ('json' in expected) {
      expect([res.statusCode, res.headers['content-type']]).toEqual([
        expected.json,
        expect.stringMatching(/^application\/json/),
      ]);
      expect(res.headers['cache-control']).toBe('no-store');
      if ('error' in expected)
        expect(res.json()).toEqual({ error: expected.error, error_description: expect.any(String) });
      else expect(res.json()).toEqual(expected.body);
    } else if ('page' in expected) {
      expect([res.statusCode, res.headers['content-type'], res.headers.location]).toEqual([
        expected.page,
        'text/html; charset=utf-8',
        undefined,
      ]);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    } else if ('redirect' in expected) {
      expect(res.statusCode).toBe(303);
      const location = new URL(String(res.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      expect(Object.fromEntries(location.searchParams)).toMatchObject({
        error: expected.redirect,
        iss: TEST_ISSUER,
      });
    } else expect(res.statusCode).toBe(expected.status);
  });
});

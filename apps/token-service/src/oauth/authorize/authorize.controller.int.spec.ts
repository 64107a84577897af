import { createHash, randomUUID } from 'node:crypto';
import {
  actionOf,
  Browser as BaseBrowser,
  csrfOf,
  FakeLoginCheck,
  queryOf,
  TEST_ISSUER,
} from '../../testing/oauth-browser';
import { TokenHarness } from '../../testing/token-harness';
import type { OAuthClient } from '../clients/oauth-client';

/**
 * The authorization endpoint and its pages over HTTP. identity-service's login check is a
 * loopback HTTP server answering its contract (the e2e suite runs the real one).
 */
describe('GET /oauth/authorize, the login and consent pages (real PostgreSQL + Kafka, over HTTP)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  const REDIRECT = 'https://reports.example.com/callback';
  const ISSUER = TEST_ISSUER;
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const loginCheck = new FakeLoginCheck();
  const users = loginCheck.users;
  let client: OAuthClient;
  let firstParty: OAuthClient;
  let spa: OAuthClient;
  let pushing: OAuthClient;

  beforeAll(async () => {
    await h.startService({
      ...(await loginCheck.start()),
    });
    await h.account(account, 'Acme Logistics');
    [client, firstParty, spa, pushing] = await h.applications(
      { ownerAccountId: account, name: 'Reports <b>&</b>', redirectUris: [REDIRECT], secret: 'lk_cs_secret' },
      { ownerAccountId: account, name: 'Console', redirectUris: [REDIRECT], firstParty: true },
      { ownerAccountId: account, redirectUris: [REDIRECT], clientType: 'public' },
      {
        ownerAccountId: account,
        name: 'Pushing',
        redirectUris: [REDIRECT],
        secret: 'lk_cs_pushing',
        requirePushedAuthorizationRequests: true,
      },
    );
  }, 120_000);
  afterAll(async () => {
    await h.stopService();
    await loginCheck.stop();
  });

  async function person(): Promise<{ email: string; password: string; userId: string }> {
    const userId = await h.user('human', {
      [account]: ['orders:read', 'orders:update', 'grants:read', 'grants:delete'],
    });
    const email = `${userId}@example.com`;
    users.set(email, { userId, password: 'correct horse battery' });
    return { email, password: 'correct horse battery', userId };
  }
  const authorizeUrl = (over: Record<string, string | undefined> = {}, c = client) => {
    const q = new URLSearchParams();
    const all: Record<string, string | undefined> = {
      client_id: c.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'orders:read',
      state: 'st8',
      ...over,
    };
    for (const [k, v] of Object.entries(all)) if (v !== undefined) q.append(k, v);
    return `/oauth/authorize?${q}`;
  };

  const query = queryOf;
  class Browser extends BaseBrowser {
    constructor() {
      super(h);
    }
  }

  async function signIn(b: Browser, who: { email: string; password: string }, url = authorizeUrl()) {
    const start = await b.get(url);
    expect(start.statusCode).toBe(303);
    const interaction = String(start.headers.location);
    const login = await b.get(interaction);
    expect(login.statusCode).toBe(200);
    const posted = await b.post(actionOf(login.body), {
      csrf: csrfOf(login.body),
      email: who.email,
      password: who.password,
    });
    expect([posted.statusCode, posted.headers.location]).toEqual([303, interaction]);
    return interaction;
  }

  it('logs in, consents with Allow, lands on the redirect URI with a code, state and iss; the code gets tokens; consent is remembered', async () => {
    const b = new Browser();
    const who = await person();
    const interaction = await signIn(b, who);
    expect(b.jar.get('lk_session')).toBeDefined();
    const consent = await b.get(interaction);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Reports &lt;b&gt;&amp;&lt;/b&gt; wants access');
    expect(consent.body).toContain('Read orders');
    // the owner and the accounts by the names people know them by (ids stay in the form)
    expect(consent.body).toContain('Owned by Acme Logistics.');
    expect(consent.body).toMatch(new RegExp(`value="${account}"[^>]*>[^<]*Acme Logistics`));
    expect(consent.headers['content-security-policy']).toContain("form-action 'self' https://reports.example.com");
    const done = await b.post(actionOf(consent.body), { csrf: csrfOf(consent.body), decision: 'allow', account });
    expect(done.statusCode).toBe(303);
    const answer = query(String(done.headers.location));
    expect(String(done.headers.location).startsWith(`${REDIRECT}?`)).toBe(true);
    expect(answer).toEqual({ code: expect.any(String), state: 'st8', iss: ISSUER });

    const token = await h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:lk_cs_secret`).toString('base64')}`,
      },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code: answer.code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }).toString(),
    });
    expect(token.statusCode).toBe(200);

    // the same user, the same application, the same scopes: no consent page, straight back with a code
    const again = await b.get(authorizeUrl({ state: 'two' }));
    const remembered = await b.get(String(again.headers.location));
    expect(remembered.statusCode).toBe(303);
    expect(query(String(remembered.headers.location))).toEqual({ code: expect.any(String), state: 'two', iss: ISSUER });
  }, 60_000);

  it('a public client’s consent is asked every time (any local app can use its id: RFC 8252 §8.6)', async () => {
    const b = new Browser();
    const interaction = await signIn(b, await person(), authorizeUrl({}, spa));
    const consent = await b.get(interaction);
    const done = await b.post(actionOf(consent.body), { csrf: csrfOf(consent.body), decision: 'allow', account });
    expect(query(String(done.headers.location))).toMatchObject({ code: expect.any(String) });
    const again = await b.get(authorizeUrl({}, spa));
    const page = await b.get(String(again.headers.location));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('>Allow</button>');
  }, 60_000);

  it('Deny sends error=access_denied back, with state and iss', async () => {
    const b = new Browser();
    const interaction = await signIn(b, await person());
    const consent = await b.get(interaction);
    const done = await b.post(actionOf(consent.body), { csrf: csrfOf(consent.body), decision: 'deny' });
    expect(query(String(done.headers.location))).toEqual({
      error: 'access_denied',
      error_description: expect.any(String),
      state: 'st8',
      iss: ISSUER,
    });
  }, 60_000);

  it('a first-party application skips the consent page', async () => {
    const b = new Browser();
    const interaction = await signIn(b, await person(), authorizeUrl({}, firstParty));
    const res = await b.get(interaction);
    expect(res.statusCode).toBe(303);
    expect(query(String(res.headers.location))).toMatchObject({ code: expect.any(String), iss: ISSUER });
  }, 60_000);

  it('a wrong password returns to the login page with a message that does not say whether the e-mail exists', async () => {
    const b = new Browser();
    const who = await person();
    const start = await b.get(authorizeUrl());
    const login = await b.get(String(start.headers.location));
    for (const email of [who.email, 'nobody@example.com']) {
      const page = await b.get(String(start.headers.location));
      const posted = await b.post(actionOf(page.body), { csrf: csrfOf(page.body), email, password: 'wrong password!' });
      expect(posted.statusCode).toBe(303);
      const shown = await b.get(String(posted.headers.location));
      expect(shown.body).toContain('The e-mail or the password is not right.');
    }
    expect(login.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // the login POST may lead straight on to the client (first-party, remembered consent)
    expect(login.headers['content-security-policy']).toContain("form-action 'self' https://reports.example.com");
    expect(login.headers['x-frame-options']).toBe('DENY');
    expect(login.headers['referrer-policy']).toBe('no-referrer');
    expect(login.body).not.toContain('<script');
    expect(b.jar.get('lk_session')).toBeUndefined();
  }, 60_000);

  it('a consent POST without the CSRF token, or from another browser, is refused and sends nobody anywhere', async () => {
    const b = new Browser();
    const interaction = await signIn(b, await person());
    const consent = await b.get(interaction);
    const forms: Array<Record<string, string>> = [
      { decision: 'allow', account },
      { csrf: 'forged', decision: 'allow', account },
    ];
    for (const form of forms) {
      const res = await b.post(actionOf(consent.body), form);
      expect(res.statusCode).toBe(403);
      expect(res.headers.location).toBeUndefined();
    }
    const stranger = new Browser();
    stranger.jar.set('lk_session', b.jar.get('lk_session')!); // even with the session, not the interaction
    const res = await stranger.post(actionOf(consent.body), { csrf: csrfOf(consent.body), decision: 'allow', account });
    expect([res.statusCode, res.headers.location]).toEqual([400, undefined]);
  }, 60_000);

  it('a tampered consent form (an account the user does not hold) goes back as access_denied, never a 500', async () => {
    const b = new Browser();
    const interaction = await signIn(b, await person());
    const consent = await b.get(interaction);
    const done = await b.post(actionOf(consent.body), {
      csrf: csrfOf(consent.body),
      decision: 'allow',
      account: randomUUID(),
    });
    expect(done.statusCode).toBe(303);
    expect(query(String(done.headers.location))).toMatchObject({ error: 'access_denied', state: 'st8', iss: ISSUER });
  }, 60_000);

  it.each([
    [`${REDIRECT}/`, 'a trailing slash'],
    [`${REDIRECT}x`, 'one character more'],
    [`${REDIRECT}?a=1`, 'an extra query'],
  ])('never redirects to %s (%s): an error page', async (uri) => {
    const res = await new Browser().get(authorizeUrl({ redirect_uri: uri }));
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it.each([
    [{ code_challenge: undefined }, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ scope: 'users:delete' }, 'invalid_scope'],
  ])('sends %p back to the client as %s, with iss', async (over, error) => {
    const res = await new Browser().get(authorizeUrl(over));
    expect(res.statusCode).toBe(303);
    expect(query(String(res.headers.location))).toEqual({
      error,
      error_description: expect.any(String),
      state: 'st8',
      iss: ISSUER,
    });
  });

  it('an unknown client is an error page; an interaction without its cookie too', async () => {
    const res = await new Browser().get(authorizeUrl({ client_id: randomUUID() }));
    expect([res.statusCode, res.headers.location]).toEqual([400, undefined]);
    const b = new Browser();
    const start = await b.get(authorizeUrl());
    const elsewhere = await new Browser().get(String(start.headers.location));
    expect([elsewhere.statusCode, elsewhere.headers.location]).toEqual([400, undefined]);
  });

  it('publishes RFC 8414 metadata from the issuer', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    expect(res.json()).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      revocation_endpoint: `${ISSUER}/oauth/revoke`,
      introspection_endpoint: `${ISSUER}/oauth/introspect`,
      pushed_authorization_request_endpoint: `${ISSUER}/oauth/par`,
      require_pushed_authorization_requests: false,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    });
    expect(res.json().scopes_supported).toEqual(expect.arrayContaining(['orders:read', 'orders:update']));
    const css = await h.app.inject({ method: 'GET', url: '/oauth/assets/latchkey.css' });
    expect([css.statusCode, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
  });

  describe('login sessions: listed, revocable, signed out', () => {
    const api = (method: 'GET' | 'DELETE', url: string, token: string) =>
      h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });

    it('a user sees their live sessions and signs one out over the API; that browser must sign in again', async () => {
      const who = await person();
      const [laptop, phone] = [new Browser(), new Browser()];
      await signIn(laptop, who);
      await signIn(phone, who);
      const pat = await h.tokenFor(who.userId, [account], ['grants:read', 'grants:delete']);
      const list = await api('GET', '/v1/me/sessions', pat);
      expect(list.statusCode).toBe(200);
      const items = list.json().items as Array<{ sessionId: string; userAgent: string | null }>;
      expect(items).toHaveLength(2);
      expect(JSON.stringify(list.json())).not.toContain(phone.jar.get('lk_session'));
      // another user can neither see nor end them
      const stranger = await person();
      const theirs = await h.tokenFor(stranger.userId, [account], ['grants:read', 'grants:delete']);
      expect((await api('GET', '/v1/me/sessions', theirs)).json().items).toEqual([]);
      expect((await api('DELETE', `/v1/me/sessions/${items[1].sessionId}`, theirs)).statusCode).toBe(404);
      // a token without grants:delete cannot either
      const reader = await h.tokenFor(who.userId, [account], ['grants:read']);
      expect((await api('DELETE', `/v1/me/sessions/${items[1].sessionId}`, reader)).statusCode).toBe(403);

      expect((await api('DELETE', `/v1/me/sessions/${items[1].sessionId}`, pat)).statusCode).toBe(204);
      expect((await api('DELETE', `/v1/me/sessions/${items[1].sessionId}`, pat)).statusCode).toBe(404);
      expect(
        (await api('GET', '/v1/me/sessions', pat)).json().items.map((i: { sessionId: string }) => i.sessionId),
      ).toEqual([items[0].sessionId]);
      // whichever browser held the revoked session is back at the login page; the other goes on
      const pages = await Promise.all(
        [laptop, phone].map(async (b) => (await b.get(String((await b.get(authorizeUrl())).headers.location))).body),
      );
      expect(pages.filter((body) => body.includes('name="password"'))).toHaveLength(1);
    }, 60_000);

    it('the sign-out page ends the session with a token only the session can make, and clears the cookie', async () => {
      const who = await person();
      const b = new Browser();
      await signIn(b, who);
      const form = await b.get('/oauth/logout');
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('>Sign out</button>');
      expect(form.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      // a forged post (no token, or another session's) changes nothing
      expect((await b.post('/oauth/logout', {})).statusCode).toBe(403);
      expect((await b.post('/oauth/logout', { csrf: 'forged' })).statusCode).toBe(403);
      const pat = await h.tokenFor(who.userId, [account], ['grants:read']);
      expect((await api('GET', '/v1/me/sessions', pat)).json().items).toHaveLength(1);

      const out = await b.post('/oauth/logout', { csrf: csrfOf(form.body) });
      expect([out.statusCode, out.headers.location]).toEqual([303, '/oauth/logout']);
      expect(String(out.headers['set-cookie'])).toMatch(
        /^lk_session=; Path=\/oauth; HttpOnly; SameSite=Lax; Max-Age=0/,
      );
      expect((await api('GET', '/v1/me/sessions', pat)).json().items).toEqual([]);
      expect((await b.get('/oauth/logout')).body).toContain('You are signed out');
    }, 60_000);
  });

  describe('pushed authorization requests (RFC 9126)', () => {
    const push = (c: OAuthClient, secret: string, over: Record<string, string | undefined> = {}) => {
      const form = new URLSearchParams();
      const all: Record<string, string | undefined> = {
        redirect_uri: REDIRECT,
        response_type: 'code',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'orders:read',
        state: 'pushed',
        ...over,
      };
      for (const [k, v] of Object.entries(all)) if (v !== undefined) form.append(k, v);
      return h.app.inject({
        method: 'POST',
        url: '/oauth/par',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${c.clientId}:${secret}`).toString('base64')}`,
        },
        payload: form.toString(),
      });
    };
    const viaRequestUri = (c: OAuthClient, requestUri: string, extra: Record<string, string> = {}) =>
      `/oauth/authorize?${new URLSearchParams({ client_id: c.clientId, request_uri: requestUri, ...extra })}`;

    it('a pushed request gets a one-time request_uri; the browser follows it through login and consent to a code', async () => {
      const res = await push(pushing, 'lk_cs_pushing');
      expect(res.statusCode).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const { request_uri: requestUri, expires_in: expiresIn } = res.json();
      expect(requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
      expect(expiresIn).toBe(60);
      // only the SHA-256 of the reference is kept, and never the client's secret
      const rows = await h.ctx.runtime.dataSource.query('SELECT * FROM pushed_authorization_requests');
      expect(JSON.stringify(rows)).not.toContain(requestUri.slice(-43));
      expect(JSON.stringify(rows)).not.toContain('lk_cs_pushing');

      const b = new Browser();
      // parameters outside the pushed request are ignored (RFC 9126 §4): the state is the pushed one
      const interaction = await signIn(b, await person(), viaRequestUri(pushing, requestUri, { state: 'ignored' }));
      const consent = await b.get(interaction);
      expect(consent.statusCode).toBe(200);
      const done = await b.post(actionOf(consent.body), { csrf: csrfOf(consent.body), decision: 'allow', account });
      expect(query(String(done.headers.location))).toEqual({ code: expect.any(String), state: 'pushed', iss: ISSUER });

      // a request_uri works once
      const again = await new Browser().get(viaRequestUri(pushing, requestUri));
      expect(again.statusCode).toBe(400);
      expect(again.headers.location).toBeUndefined();
    }, 60_000);

    it('another client’s request_uri, or an invented one, is an error page and no redirect', async () => {
      const { request_uri: requestUri } = (await push(pushing, 'lk_cs_pushing')).json();
      for (const url of [
        viaRequestUri(client, requestUri),
        viaRequestUri(pushing, 'urn:ietf:params:oauth:request_uri:invented'),
      ]) {
        const res = await new Browser().get(url);
        expect([res.statusCode, res.headers.location]).toEqual([400, undefined]);
        expect(res.body).toContain('expired or was already used');
      }
      // the rightful client can still use it: the failed attempts did not spend it
      expect((await new Browser().get(viaRequestUri(pushing, requestUri))).statusCode).toBe(303);
    }, 60_000);

    it('an application that requires pushed requests refuses a plain one (back to the client), others may push or not', async () => {
      const plain = await new Browser().get(authorizeUrl({}, pushing));
      expect(plain.statusCode).toBe(303);
      expect(query(String(plain.headers.location))).toMatchObject({
        error: 'invalid_request',
        state: 'st8',
        iss: ISSUER,
      });
      expect(query(String(plain.headers.location)).error_description).toContain('/oauth/par');
      const pushedByOther = await push(client, 'lk_cs_secret');
      expect(pushedByOther.statusCode).toBe(201);
      expect((await new Browser().get(authorizeUrl({}, client))).headers.location).toMatch(/^\/oauth\/interaction\//);
    }, 60_000);

    it('the push is checked as the authorization endpoint checks: client authentication, PKCE, redirect URI, scope, no request_uri', async () => {
      const cases: Array<[number, string, () => ReturnType<typeof push>]> = [
        [401, 'invalid_client', () => push(pushing, 'lk_cs_wrong')],
        [400, 'invalid_request', () => push(pushing, 'lk_cs_pushing', { code_challenge: undefined })],
        [400, 'invalid_request', () => push(pushing, 'lk_cs_pushing', { code_challenge_method: 'plain' })],
        [400, 'invalid_request', () => push(pushing, 'lk_cs_pushing', { redirect_uri: `${REDIRECT}/` })],
        [400, 'invalid_scope', () => push(pushing, 'lk_cs_pushing', { scope: 'users:delete' })],
        [400, 'invalid_request', () => push(pushing, 'lk_cs_pushing', { request_uri: 'urn:x' })],
        [400, 'unsupported_response_type', () => push(pushing, 'lk_cs_pushing', { response_type: 'token' })],
      ];
      const count = async () =>
        (await h.ctx.runtime.dataSource.query('SELECT count(*)::int AS n FROM pushed_authorization_requests'))[0].n;
      const before = await count();
      for (const [status, error, send] of cases) {
        const res = await send();
        expect([res.statusCode, res.json().error]).toEqual([status, error]);
      }
      expect(await count()).toBe(before); // none of them was kept
    }, 60_000);
  });
});

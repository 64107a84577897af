import { createHash, randomUUID } from 'node:crypto';
import { CONSOLE_CLIENT_ID } from '@latchkey/contracts';
import { actionOf, Browser, csrfOf, FakeLoginCheck, queryOf } from '../testing/oauth-browser';
import { TokenHarness } from '../testing/token-harness';
import type { OAuthClient } from './clients/oauth-client';

/**
 * Latchkey's console as an OAuth client (ApplicationRegistered `console: true`): signed in through
 * /oauth/authorize like any first-party client, its tokens then act for their user as a login
 * session does (real PostgreSQL + Kafka, over HTTP).
 */
describe('the console’s tokens', () => {
  const h = new TokenHarness();
  const [home, other] = [randomUUID(), randomUUID()];
  const REDIRECT = 'http://127.0.0.1:3000/callback';
  const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const loginCheck = new FakeLoginCheck();
  let consoleClient: OAuthClient;
  let ordinary: OAuthClient;
  const SELF_SERVICE = [
    'personal_access_tokens:create',
    'personal_access_tokens:read',
    'personal_access_tokens:delete',
  ];

  beforeAll(async () => {
    await h.startService({ ...(await loginCheck.start()) });
    [consoleClient, ordinary] = await h.applications(
      {
        clientId: CONSOLE_CLIENT_ID,
        ownerAccountId: home,
        name: 'Latchkey console',
        clientType: 'public',
        redirectUris: [REDIRECT],
        allowedScopes: [],
        accountIds: [home],
        firstParty: true,
        console: true,
      },
      // an ordinary first-party public client allowed every scope the person holds, in both accounts
      {
        ownerAccountId: home,
        clientType: 'public',
        redirectUris: [REDIRECT],
        allowedScopes: ['orders:read', 'orders:update', ...SELF_SERVICE],
        accountIds: [home, other],
        firstParty: true,
      },
    );
  }, 120_000);
  afterAll(async () => {
    await h.stopService();
    await loginCheck.stop();
  });

  /** Signs a person in through the authorization endpoint and redeems the code, as the console does. */
  async function signedIn(client: OAuthClient, scope?: string) {
    // every built-in role of a person holds the self-service scopes (docs/architecture.md: the permission model)
    const userId = await h.user('human', {
      [home]: ['orders:read', ...SELF_SERVICE],
      [other]: ['orders:update', ...SELF_SERVICE],
    });
    loginCheck.users.set(`${userId}@example.com`, { userId, password: 'correct horse battery' });
    const b = new Browser(h);
    const q = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st',
      ...(scope === undefined ? {} : { scope }),
    });
    const start = await b.get(`/oauth/authorize?${q}`);
    const interaction = String(start.headers.location);
    const login = await b.get(interaction);
    await b.post(actionOf(login.body), {
      csrf: csrfOf(login.body),
      email: `${userId}@example.com`,
      password: 'correct horse battery',
    });
    const back = await b.get(interaction);
    expect(back.statusCode).toBe(303); // first party: no consent page
    const { code } = queryOf(String(back.headers.location));
    const token = await h.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: client.clientId,
        code_verifier: verifier,
      }).toString(),
    });
    expect(token.statusCode).toBe(200);
    return { userId, tokens: token.json() as { access_token: string; refresh_token: string; scope: string } };
  }
  const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
    h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

  it('carry the user’s permissions in all the user’s accounts, though the console asked for no scope and names one account', async () => {
    const { tokens } = await signedIn(consoleClient);
    expect(tokens.scope.split(' ').sort()).toEqual(['orders:read', 'orders:update', ...SELF_SERVICE].sort());
    const v = h.ctx.runtime.verifier;
    expect(v.verify(tokens.access_token, { account: home })).toMatchObject({
      active: true,
      viaConsole: true,
      accountIds: expect.arrayContaining([home, other]),
      effectiveScopes: expect.arrayContaining(['orders:read', ...SELF_SERVICE]),
    });
    // in the other account, only what the user holds there
    // in the other account, only what the user holds there
    const inOther = v.verify(tokens.access_token, { account: other });
    expect(inOther.active && [...inOther.effectiveScopes].sort()).toEqual(['orders:update', ...SELF_SERVICE].sort());
  }, 60_000);

  it('may manage the user’s own tokens — list and create a PAT — where an ordinary application’s token may not', async () => {
    const { tokens } = await signedIn(consoleClient);
    expect((await call('GET', '/v1/personal-access-tokens', tokens.access_token)).statusCode).toBe(200);
    const created = await call('POST', '/v1/personal-access-tokens', tokens.access_token, {
      name: 'from the console',
      scopes: ['orders:read'],
      accountIds: [home],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'from the console',
      scopes: ['orders:read'],
      token: expect.any(String),
    });

    const app = await signedIn(ordinary, 'orders:read personal_access_tokens:read personal_access_tokens:create');
    const refused = await call('GET', '/v1/personal-access-tokens', app.tokens.access_token);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'personal_token_required']);
  }, 60_000);

  it('a PAT made through the console still never exceeds its user: a scope the user lacks is refused', async () => {
    const { tokens } = await signedIn(consoleClient);
    const beyond = await call('POST', '/v1/personal-access-tokens', tokens.access_token, {
      name: 'too much',
      scopes: ['orders:delete'],
      accountIds: [home],
    });
    expect(beyond.statusCode).toBe(403);
  }, 60_000);

  it('the console may not ask for scopes: its grant is its user’s permissions', async () => {
    const b = new Browser(h);
    const q = new URLSearchParams({
      client_id: CONSOLE_CLIENT_ID,
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'orders:read',
      state: 'st',
    });
    const res = await b.get(`/oauth/authorize?${q}`);
    expect(res.statusCode).toBe(303);
    expect(queryOf(String(res.headers.location))).toMatchObject({ error: 'invalid_scope', state: 'st' });
  });
});

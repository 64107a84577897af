import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { OAuthPlatform, type Person, type RegisteredApp } from './oauth-platform';

/** What the driver answers: openid-client's result, or the error it threw (as JSON). */
type DriverAnswer =
  | { ok: true; result: Record<string, unknown> }
  | {
      ok: false;
      error: {
        name: string;
        message: string;
        code: string | null;
        error: string | null;
        error_description: string | null;
        status: number | null;
        cause: string | null;
      };
    };

/**
 * openid-client v6 in its own node process (oauth-client.driver.mjs says why: it is ESM-only and
 * jest here runs CommonJS). One request at a time per id, answers matched by id.
 */
class OpenIdClient {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (answer: DriverAnswer) => void>();
  private next = 0;
  private stderr = '';

  constructor() {
    this.child = spawn(process.execPath, [path.join(__dirname, 'oauth-client.driver.mjs')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const { id, ...answer } = JSON.parse(line) as { id: number } & DriverAnswer;
      this.waiting.get(id)?.(answer as DriverAnswer);
      this.waiting.delete(id);
    });
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
  }

  /** One openid-client call; its answer whether it succeeded or threw. */
  call(op: string, args: Record<string, unknown> = {}): Promise<DriverAnswer> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null) return reject(new Error(`the driver exited: ${this.stderr}`));
      this.waiting.set(id, resolve);
      this.child.stdin!.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  }

  /** One openid-client call that must succeed; its result. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async ok(op: string, args: Record<string, unknown> = {}): Promise<any> {
    const answer = await this.call(op, args);
    if (!answer.ok) throw new Error(`openid-client ${op} failed: ${JSON.stringify(answer.error)}`);
    return answer.result;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin!.end();
      this.child.kill('SIGTERM');
    });
  }
}

/**
 * The user's side of the authorization endpoint over plain HTTP: a cookie jar, redirects taken
 * one at a time (so each hop can be looked at), forms posted as the pages define them.
 */
class UserAgent {
  private readonly jar = new Map<string, string>();

  async get(url: string): Promise<{ status: number; location: string | null; body: string }> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>) {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  private async send(url: string, init: RequestInit) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        ...(this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const location = res.headers.get('location');
    return {
      status: res.status,
      location: location === null ? null : new URL(location, url).href,
      body: await res.text(),
    };
  }
}

const field = (page: string, name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page)?.[1] ?? null;
const formAction = (page: string, base: string) => {
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error(`no form on the page:\n${page}`);
  return new URL(action, base).href;
};

/**
 * An independent, certified client library (openid-client v6) against the real platform:
 * discovery of our RFC 8414 metadata, the authorization code flow with PKCE S256 (its checks of
 * `state` and `iss` included), rotating refresh tokens with reuse detection, introspection and
 * revocation — and the gateway honouring each token, then refusing it once revoked.
 */
describe('OAuth with an independent client: openid-client v6 against the real platform', () => {
  const oauth = new OAuthPlatform();
  const openid = new OpenIdClient();
  // a loopback redirect URI (RFC 8252 §7.3): the user agent here takes no redirect by itself,
  // so nothing needs to listen there; openid-client reads the code from the URL it is handed
  const REDIRECT = 'http://127.0.0.1:9/callback';
  const SCOPE = 'orders:read orders:update';
  let app: RegisteredApp;
  let ada: Person;

  beforeAll(async () => {
    await oauth.start();
    ada = await oauth.person('Ada');
    app = await oauth.registerApplication('Acme Reports', [REDIRECT], ['orders:read', 'orders:update']);
    await openid.ok('discovery', { issuer: oauth.issuer, clientId: app.clientId, clientSecret: app.clientSecret });
  }, 240_000);
  afterAll(async () => {
    await openid.close();
    await oauth.stop();
  });

  /**
   * openid-client builds the authorization URL (PKCE S256, a random state); the user signs in
   * and, when the consent page is shown, clicks Allow. Answers the URL the browser would land
   * on, whether a consent page was shown, and the PKCE values.
   */
  async function authorize(who: Person) {
    const { codeVerifier, codeChallenge, state } = await openid.ok('pkce');
    const { url } = await openid.ok('buildAuthorizationUrl', {
      parameters: {
        redirect_uri: REDIRECT,
        scope: SCOPE,
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      },
    });
    const ua = new UserAgent();
    const start = await ua.get(url);
    expect(start.status).toBe(303);
    const interaction = start.location!;
    const login = await ua.get(interaction);
    expect(login.body).toContain('Sign in');
    const signedIn = await ua.post(formAction(login.body, interaction), {
      csrf: field(login.body, 'csrf')!,
      email: who.email,
      password: who.password,
    });
    expect([signedIn.status, signedIn.location]).toEqual([303, interaction]);
    const next = await ua.get(interaction);
    if (next.status === 303) return { callbackUrl: next.location!, consentShown: false, codeVerifier, state, url };
    expect(next.status).toBe(200);
    expect(next.body).toContain('>Allow</button>');
    const done = await ua.post(formAction(next.body, interaction), {
      csrf: field(next.body, 'csrf')!,
      decision: 'allow',
      account: field(next.body, 'account')!,
    });
    expect(done.status).toBe(303);
    return { callbackUrl: done.location!, consentShown: true, codeVerifier, state, url };
  }

  async function codeGrant(flow: { callbackUrl: string; codeVerifier: string; state: string }) {
    return openid.ok('authorizationCodeGrant', {
      currentUrl: flow.callbackUrl,
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
    });
  }

  it('discovery (RFC 8414, algorithm oauth2) finds the issuer, every endpoint, PKCE S256 and iss on responses', async () => {
    const { serverMetadata, clientMetadata } = await openid.ok('discovery', {
      issuer: oauth.issuer,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
    });
    expect(serverMetadata).toMatchObject({
      issuer: oauth.issuer,
      authorization_endpoint: `${oauth.issuer}/oauth/authorize`,
      token_endpoint: `${oauth.issuer}/oauth/token`,
      revocation_endpoint: `${oauth.issuer}/oauth/revoke`,
      introspection_endpoint: `${oauth.issuer}/oauth/introspect`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(serverMetadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
    expect(serverMetadata.scopes_supported).toEqual(expect.arrayContaining(['orders:read', 'orders:update']));
    expect(clientMetadata.client_id).toBe(app.clientId);
  });

  it('authorization code with PKCE: openid-client checks state and iss, redeems the code, and the gateway accepts the access token', async () => {
    const flow = await authorize(ada);
    const authUrl = new URL(flow.url);
    expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${oauth.issuer}/oauth/authorize`);
    expect(Object.fromEntries(authUrl.searchParams)).toMatchObject({
      client_id: app.clientId,
      response_type: 'code',
      code_challenge_method: 'S256',
    });
    expect(flow.consentShown).toBe(true);
    const callback = new URL(flow.callbackUrl);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(oauth.issuer);

    // openid-client's checks are live: another state, or another issuer, and it refuses before redeeming
    const wrongState = await openid.call('authorizationCodeGrant', {
      currentUrl: flow.callbackUrl,
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: 'another-state',
    });
    expect(wrongState).toMatchObject({
      ok: false,
      error: { code: 'OAUTH_INVALID_RESPONSE', cause: expect.stringContaining('"state"') },
    });
    const forged = new URL(flow.callbackUrl);
    forged.searchParams.set('iss', 'http://127.0.0.1:1');
    const wrongIssuer = await openid.call('authorizationCodeGrant', {
      currentUrl: forged.href,
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
    });
    expect(wrongIssuer).toMatchObject({
      ok: false,
      error: { code: 'OAUTH_INVALID_RESPONSE', cause: expect.stringContaining('"iss"') },
    });

    const tokens = await codeGrant(flow);
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      access_token: expect.stringMatching(/^lk_at_/),
      refresh_token: expect.stringMatching(/^lk_rt_/),
      expires_in: expect.any(Number),
    });
    expect(String(tokens.scope).split(' ').sort()).toEqual(['orders:read', 'orders:update']);

    oauth.upstreamSaw.length = 0;
    expect(await oauth.gatewayStatus(tokens.access_token)).toBe(200);
    expect(oauth.upstreamSaw[0]).toMatchObject({
      'x-auth-subject': ada.userId,
      'x-auth-subject-kind': 'human',
      'x-auth-client-id': app.clientId,
      'x-auth-account': oauth.directory,
    });

    // a code is single use: the same redirect redeemed again is refused
    const again = await openid.call('authorizationCodeGrant', {
      currentUrl: flow.callbackUrl,
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
    });
    expect(again).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
  }, 60_000);

  it('refreshTokenGrant rotates the refresh token; the old one presented again fails and revokes the grant', async () => {
    const first = await codeGrant(await authorize(ada));
    const second = await openid.ok('refreshTokenGrant', { refreshToken: first.refresh_token });
    const third = await openid.ok('refreshTokenGrant', { refreshToken: second.refresh_token });
    const refreshTokens = [first, second, third].map((t) => t.refresh_token);
    const accessTokens = [first, second, third].map((t) => t.access_token);
    expect(new Set(refreshTokens).size).toBe(3);
    expect(new Set(accessTokens).size).toBe(3);
    expect(await oauth.gatewayStatus(third.access_token)).toBe(200);

    const reused = await openid.call('refreshTokenGrant', { refreshToken: second.refresh_token });
    expect(reused).toMatchObject({ ok: false, error: { error: 'invalid_grant', status: 400 } });

    // the reuse revoked the grant: the newest refresh token and access token are dead too
    const newest = await openid.call('refreshTokenGrant', { refreshToken: third.refresh_token });
    expect(newest).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
    expect(await openid.ok('tokenIntrospection', { token: third.access_token })).toEqual({ active: false });
    expect(await oauth.gatewayStatusOnceRefused(third.access_token)).toBe(401);

    // and no consent is remembered from a revoked grant: the next authorization asks again
    expect((await authorize(ada)).consentShown).toBe(true);
  }, 60_000);

  it('introspection says active with scope and client_id; after tokenRevocation inactive, and the gateway refuses the token', async () => {
    const flow = await authorize(ada);
    const tokens = await codeGrant(flow);
    const active = await openid.ok('tokenIntrospection', { token: tokens.access_token });
    expect(active).toMatchObject({ active: true, client_id: app.clientId, sub: ada.userId });
    expect(String(active.scope).split(' ').sort()).toEqual(['orders:read', 'orders:update']);
    expect(await oauth.gatewayStatus(tokens.access_token)).toBe(200);

    await openid.ok('tokenRevocation', { token: tokens.access_token });
    expect(await openid.ok('tokenIntrospection', { token: tokens.access_token })).toEqual({ active: false });
    expect(await oauth.gatewayStatusOnceRefused(tokens.access_token)).toBe(401);

    // revoking the refresh token ends the grant: it refreshes nothing any more
    const refreshed = await openid.ok('refreshTokenGrant', { refreshToken: tokens.refresh_token });
    expect(await oauth.gatewayStatus(refreshed.access_token)).toBe(200);
    await openid.ok('tokenRevocation', { token: refreshed.refresh_token });
    expect(await openid.ok('tokenIntrospection', { token: refreshed.refresh_token })).toEqual({ active: false });
    const afterRevoke = await openid.call('refreshTokenGrant', { refreshToken: refreshed.refresh_token });
    expect(afterRevoke).toMatchObject({ ok: false, error: { error: 'invalid_grant' } });
    expect(await oauth.gatewayStatusOnceRefused(refreshed.access_token)).toBe(401);
  }, 60_000);
});

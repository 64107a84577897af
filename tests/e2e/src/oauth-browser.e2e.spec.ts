import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { repoRoot } from '@latchkey/testing';
import { basicAuth, OAuthPlatform, type Person, type RegisteredApp } from './oauth-platform';

/** Debian's Chromium (.ci/run installs it when missing). */
const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };
const SCOPES = ['orders:read', 'orders:update'];

/** What the client application's loopback server saw at its redirect URI. */
interface Landing {
  query: Record<string, string>;
  referer: string | undefined;
}

const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The authorization server's pages in a real browser (headless Chromium through playwright-core)
 * against the running platform: sign in, consent with Allow (code, state, iss; the code gets
 * tokens the gateway accepts), Deny (access_denied), remembered consent (no consent page), the
 * pages' security headers as the browser received them, and a login page that no other site can
 * frame. Screenshots of the login and consent pages go to a temporary folder, and with
 * UPDATE_SCREENSHOTS=1 to docs/oauth/ (the README shows them).
 */
describe('OAuth in a real browser: login and consent pages (Chromium, real platform)', () => {
  const oauth = new OAuthPlatform();
  const landings: Landing[] = [];
  const shots = mkdtempSync(path.join(tmpdir(), 'lk-oauth-shots-'));
  let clientApp: Server;
  let clientOrigin = '';
  let redirectUri = '';
  let browser: Browser;
  let app: RegisteredApp;
  let ada: Person;
  let grace: Person;

  beforeAll(async () => {
    // the client application: its redirect URI records the query and answers a tiny page; /frame
    // is another site's page that tries to show a given URL in an iframe
    clientApp = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/callback') {
        landings.push({ query: Object.fromEntries(url.searchParams), referer: req.headers.referer });
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<!doctype html><title>Acme Reports</title><h1>Back at Acme Reports</h1>');
      }
      if (url.pathname === '/frame') {
        const src = escapeAttribute(url.searchParams.get('src') ?? '');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(`<!doctype html><title>Framer</title><iframe src="${src}" width="600" height="600"></iframe>`);
      }
      if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => clientApp.listen(0, '127.0.0.1', r));
    clientOrigin = `http://127.0.0.1:${(clientApp.address() as AddressInfo).port}`;
    redirectUri = `${clientOrigin}/callback`;

    await oauth.start();
    [ada, grace] = [await oauth.person('Ada'), await oauth.person('Grace')];
    app = await oauth.registerApplication('Acme Reports', [redirectUri], SCOPES);
    // playwright starts the browser with a fresh user data dir of its own (a new temporary
    // profile, deleted at close); each run below is a new context: no cookies carried over
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await oauth.stop();
    await new Promise((r) => clientApp.close(r));
  });

  /** An authorization request as a client builds it: PKCE S256 and a random state. */
  function authorizationRequest() {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const q = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: SCOPES.join(' '),
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    return { url: `${oauth.issuer}/oauth/authorize?${q}`, verifier, state };
  }

  /**
   * A fresh browser context (no cookies) at 1280×800, recording every document it was sent and
   * every error or warning the browser reported (a CSP violation on our own pages would be one).
   */
  async function newRun(): Promise<{ context: BrowserContext; page: Page; documents: Response[]; problems: string[] }> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const documents: Response[] = [];
    const problems: string[] = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'document' && r.frame() === page.mainFrame()) documents.push(r);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return { context, page, documents, problems };
  }

  /** The pages' headers as the browser received them. */
  async function expectPageSecurityHeaders(res: Response): Promise<void> {
    const headers = await res.allHeaders();
    const csp = Object.fromEntries(
      headers['content-security-policy']
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    // no script at all: nothing allows one (script-src falls back to default-src 'none')
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toBeUndefined();
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['x-frame-options']).toBe('DENY');
  }

  /** The document the browser shows now (the last one it was sent for the main frame). */
  const current = (documents: Response[]) => documents[documents.length - 1];

  async function screenshot(page: Page, name: 'login' | 'consent'): Promise<void> {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file, type: 'png' });
    const png = readFileSync(file);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // the PNG signature
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    expect(png.length).toBeGreaterThan(5_000); // a rendered page, not an empty image
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      const docs = path.join(repoRoot(), 'docs/oauth');
      mkdirSync(docs, { recursive: true });
      copyFileSync(file, path.join(docs, `${name}.png`));
    }
  }

  /** The login page: fill in e-mail and password (a screenshot first when asked), then Sign in. */
  async function signIn(page: Page, who: Person, shot = false): Promise<void> {
    await page.getByLabel('E-mail').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    if (shot) await screenshot(page, 'login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /**
   * Waits for the browser to land on the redirect URI; answers what the client application saw
   * there for this request's state (exactly one landing) — the same query the address bar shows.
   */
  async function landing(page: Page, state: string): Promise<Landing> {
    await page.waitForURL((u) => u.href.startsWith(`${redirectUri}?`));
    await page.getByRole('heading', { name: 'Back at Acme Reports' }).waitFor();
    const seen = landings.filter((l) => l.query.state === state);
    expect(seen).toHaveLength(1);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual(seen[0].query);
    return seen[0];
  }

  async function redeem(code: string, verifier: string) {
    const res = await fetch(`${oauth.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(app), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  it('signs in, sees the consent page, clicks Allow, lands with code, state and iss; the code gets a token the gateway accepts', async () => {
    const { context, page, documents, problems } = await newRun();
    try {
      const request = authorizationRequest();
      const login = await page.goto(request.url);
      expect(login?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toMatch(/^\/oauth\/interaction\/[^/]+$/);
      await page.getByRole('heading', { name: 'Sign in to continue to Acme Reports' }).waitFor();
      await expectPageSecurityHeaders(login!);
      expect(await page.locator('script').count()).toBe(0);
      // the same-origin stylesheet is allowed by the CSP and applied
      expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(244, 245, 247)');
      await signIn(page, ada, true);

      await page.getByRole('heading', { name: 'Acme Reports wants access to your Latchkey account' }).waitFor();
      const consent = current(documents);
      expect(consent.status()).toBe(200);
      await expectPageSecurityHeaders(consent);
      expect(await page.locator('script').count()).toBe(0);
      const can = (await page.getByRole('listitem').allInnerTexts()).map((t) => t.trim());
      expect(can).toEqual(['Read orders (orders:read)', 'Change orders (orders:update)']);
      expect(await page.getByText(`Signed in as ${ada.email}.`).count()).toBe(1);
      // the owner and the account by the name identity-service gave them, not by id
      expect(await page.getByText('Owned by Directory.').count()).toBe(1);
      expect(await page.getByRole('checkbox', { name: 'Directory' }).isChecked()).toBe(true);
      const buttons = (await page.getByRole('button').allInnerTexts()).map((t) => t.trim());
      expect(buttons.sort()).toEqual(['Allow', 'Deny']);
      await screenshot(page, 'consent');
      await page.getByRole('button', { name: 'Allow', exact: true }).click();

      const landed = await landing(page, request.state);
      expect(landed.query).toEqual({ code: expect.any(String), state: request.state, iss: oauth.issuer });
      expect(landed.referer).toBeUndefined(); // Referrer-Policy: no-referrer, as the browser applied it
      expect(problems).toEqual([]); // no CSP violation, no error on the way
      const tokens = await redeem(landed.query.code, request.verifier);
      expect(tokens.status).toBe(200);
      expect(tokens.body.access_token).toMatch(/^lk_at_/);
      expect(await oauth.gatewayStatus(tokens.body.access_token)).toBe(200);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('a second run (new context) clicks Deny and lands with error=access_denied, state and iss', async () => {
    const { context, page } = await newRun();
    try {
      const request = authorizationRequest();
      await page.goto(request.url);
      await signIn(page, grace);
      await page.getByRole('button', { name: 'Deny', exact: true }).click();
      const landed = await landing(page, request.state);
      expect(landed.query).toEqual({
        error: 'access_denied',
        error_description: expect.any(String),
        state: request.state,
        iss: oauth.issuer,
      });
    } finally {
      await context.close();
    }
  }, 90_000);

  it('a third run (new context) signs in again and finds consent remembered: no consent page, straight back with a code', async () => {
    const { context, page, documents } = await newRun();
    try {
      const request = authorizationRequest();
      await page.goto(request.url);
      await page.getByRole('heading', { name: 'Sign in to continue to Acme Reports' }).waitFor();
      await signIn(page, ada);
      const landed = await landing(page, request.state);
      expect(landed.query).toEqual({ code: expect.any(String), state: request.state, iss: oauth.issuer });
      // the only page the authorization server showed was the login page: after the sign-in
      // the interaction sent the browser straight on (303) instead of showing a consent page
      const hops = documents.map((d) => {
        const u = new URL(d.url());
        const where =
          u.origin === oauth.issuer ? u.pathname.replace(/interaction\/[^/]+/, 'interaction/{id}') : 'client';
        return `${d.request().method()} ${where} ${d.status()}`;
      });
      expect(hops).toEqual([
        'GET /oauth/authorize 303',
        'GET /oauth/interaction/{id} 200',
        'POST /oauth/interaction/{id}/login 303',
        'GET /oauth/interaction/{id} 303',
        'GET client 200',
      ]);
      expect((await redeem(landed.query.code, request.verifier)).status).toBe(200);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('another site cannot frame the login page: Chromium refuses it (CSP frame-ancestors)', async () => {
    const { context, page } = await newRun();
    try {
      // control: the same framing page shows a page that allows framing
      await page.goto(`${clientOrigin}/frame?src=${encodeURIComponent(`${redirectUri}?control=1`)}`);
      const control = page.frameLocator('iframe').getByRole('heading', { name: 'Back at Acme Reports' });
      await control.waitFor();
      expect(await control.count()).toBe(1);

      const refused = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
      const framed = page.waitForResponse((r) => r.url().startsWith(`${oauth.issuer}/oauth/interaction/`));
      await page.goto(`${clientOrigin}/frame?src=${encodeURIComponent(authorizationRequest().url)}`);
      const login = await framed;
      expect(login.status()).toBe(200); // the server did answer the login page...
      await page.waitForLoadState('load');
      const child = page.frames().find((f) => f !== page.mainFrame());
      expect(child).toBeDefined();
      // ...and the browser did not render it inside the other site's page
      expect(await child!.locator('input[type=password]').count()).toBe(0);
      expect(child!.url().startsWith(oauth.issuer)).toBe(false);
      expect((await refused).text()).toContain(
        `violates the following Content Security Policy directive: "frame-ancestors 'none'"`,
      );
    } finally {
      await context.close();
    }
  }, 90_000);
});

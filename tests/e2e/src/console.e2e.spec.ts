import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '@latchkey/testing';
import { basicAuth, OAuthPlatform, type Person } from './oauth-platform';

/** Debian's Chromium (.ci/run installs it when missing). */
const CHROMIUM = '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };
const AXE_SOURCE = readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is (0 expected). */
async function seriousViolations(page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol, not as a page script: the console's CSP stays in force
  await page.evaluate(AXE_SOURCE);
  const result = (await page.evaluate('axe.run()')) as {
    violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }>;
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * The web console in a real browser (headless Chromium through playwright-core) against the
 * running platform — identity-service, application-registry, token-service, the gateway and the
 * console from their builds — walked as a person would: sign in through the authorization
 * server, generate a PAT with orders:read in one account, copy it, use it at the gateway, revoke
 * it in the console, and see the gateway refuse it. Every page is checked with axe-core and
 * photographed at 1280 and 390 px (docs/console/ with UPDATE_SCREENSHOTS=1).
 */
describe('the console in a real browser (Chromium, real platform)', () => {
  const oauth = new OAuthPlatform();
  const shots = mkdtempSync(path.join(tmpdir(), 'lk-console-shots-'));
  let browser: Browser;
  let ada: Person;
  let consoleUrl = '';
  /** Chosen by the first sign-in test, used by the administrator's tests after it. */
  const adminPassword = 'the administrator’s first password';
  /** A client application's redirect URI: it records the query it was sent to. */
  let clientApp: Server;
  let redirectUri = '';
  const landings: Array<Record<string, string>> = [];

  beforeAll(async () => {
    clientApp = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') return res.writeHead(404).end();
      landings.push(Object.fromEntries(url.searchParams));
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>Acme</title><h1>Back at Acme</h1>');
    });
    await new Promise<void>((r) => clientApp.listen(0, '127.0.0.1', r));
    redirectUri = `http://127.0.0.1:${(clientApp.address() as AddressInfo).port}/callback`;
    await oauth.start();
    await oauth.platform.start(['console']);
    consoleUrl = oauth.platform.url('console');
    ada = await oauth.person('Ada');
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
    await new Promise((r) => clientApp?.close(r));
    await oauth.stop();
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      const docs = path.join(repoRoot(), 'docs/console');
      mkdirSync(docs, { recursive: true });
      for (const name of SHOT_NAMES) copyFileSync(path.join(shots, name), path.join(docs, name));
    }
  });

  const SHOT_NAMES: string[] = [];
  /** axe-core on the page, then a screenshot at both widths. */
  async function check(page: Page, name: string): Promise<void> {
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
    for (const [suffix, size] of [
      ['desktop', DESKTOP],
      ['narrow', NARROW],
    ] as const) {
      await page.setViewportSize(size);
      const file = `${name}-${suffix}.png`;
      await page.screenshot({ path: path.join(shots, file), fullPage: true });
      if (!SHOT_NAMES.includes(file)) SHOT_NAMES.push(file);
    }
    await page.setViewportSize(DESKTOP);
  }

  async function signIn(context: BrowserContext, who: Person): Promise<Page> {
    const page = await context.newPage();
    await page.goto(consoleUrl);
    await check(page, 'sign-in');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('E-mail').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${consoleUrl}/`);
    await expect(page.getByRole('heading', { name: 'Welcome' }).isVisible()).resolves.toBe(true);
    return page;
  }

  it('first sign-in on a fresh platform: the link identity-service printed → choose a password → sign in as the administrator', async () => {
    const printed = oauth.platform.app('identity-service').output.join('');
    const link = /(http:\/\/\S+\/setup\?code=[A-Za-z0-9_-]+)/.exec(printed)?.[1];
    expect(link?.startsWith(`${consoleUrl}/setup?code=`)).toBe(true);
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await page.goto(link!);
    await check(page, 'first-sign-in');
    const password = adminPassword;
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Repeat it').fill('something else entirely');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.locator('#confirm-error').textContent()).resolves.toContain('The two passwords differ');
    await page.getByLabel('New password').fill(password);
    await page.getByLabel('Repeat it').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.getByRole('heading', { name: 'Password set' }).isVisible()).resolves.toBe(true);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('E-mail').fill(oauth.platform.adminEmail);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${consoleUrl}/`);
    await expect(page.getByText(`(${oauth.platform.adminEmail})`).first().isVisible()).resolves.toBe(true);
    // the link is dead now
    await page.goto(link!);
    await page.getByLabel('New password').fill('yet another password!');
    await page.getByLabel('Repeat it').fill('yet another password!');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');
    await context.close();
  }, 120_000);

  it('an administrator registers an application: the client secret is shown once, works, and can be rotated; then the application is disabled', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: consoleUrl });
    const page = await signIn(context, { email: oauth.platform.adminEmail, password: adminPassword, userId: '' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
    await check(page, 'applications');
    await page.getByRole('link', { name: 'Register an application' }).click();
    await check(page, 'application-new');
    await page.getByLabel('Name').fill('Billing sync');
    await page.getByLabel('Redirect URIs').fill('https://billing.example.com/callback');
    await page.getByLabel('orders read').check();
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('heading', { name: 'Registered: Billing sync' }).isVisible()).resolves.toBe(true);
    const clientId = (await page.locator('#client-id').textContent())!.trim();
    const secret = (await page.locator('#client-secret').textContent())!.trim();
    expect(secret).toMatch(/^lk_cs_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.locator('#client-secret-copied').filter({ hasText: 'Copied.' }).waitFor({ timeout: 5_000 });
    const works = async (s: string) => {
      const res = await fetch(`${oauth.issuer}/oauth/introspect`, {
        method: 'POST',
        headers: {
          authorization: basicAuth({ clientId, clientSecret: s, name: '' }),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token: 'nothing' }).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    };
    // token-service learns of the application from its event: the secret works within moments
    for (let i = 0; i < 100 && (await works(secret)) !== 200; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await works(secret)).toBe(200);
    await page.evaluate(
      "document.getElementById('client-secret').textContent = 'lk_cs_EXAMPLEonlyEXAMPLEonlyEXAMPLEonly'",
    );
    await check(page, 'application-secret');

    // the secret is on no later page
    await page.getByRole('link', { name: 'Manage Billing sync' }).click();
    expect(await page.content()).not.toContain(secret);
    await check(page, 'application');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = (await page.locator('#client-secret').textContent())!.trim();
    expect(rotated).not.toBe(secret);
    for (let i = 0; i < 100 && (await works(rotated)) !== 200; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await works(rotated)).toBe(200);
    await page.getByRole('link', { name: 'Manage Billing sync' }).click();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('disabled');
    await expect(
      page
        .getByRole('row', { name: /Billing sync/ })
        .getByText('disabled')
        .isVisible(),
    ).resolves.toBe(true);
    // Users: register an API user and generate a token for it, which works at the gateway
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await check(page, 'users');
    await page.getByRole('link', { name: 'Register a user' }).click();
    await page.getByLabel('API user (a machine: tokens only)').check();
    await page.getByLabel('Display name').fill('Nightly export');
    await page.getByRole('checkbox', { name: /^api_user/ }).check();
    await check(page, 'user-new');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.getByRole('heading', { name: 'Nightly export' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('registered');
    await check(page, 'user');
    await page.getByRole('link', { name: 'Generate token for this user' }).click();
    await page.getByLabel('Name').fill('export job');
    await page.getByLabel('orders read').check();
    // the API user holds no delete: that box cannot be ticked
    await expect(page.getByLabel('orders delete').isDisabled()).resolves.toBe(true);
    await check(page, 'user-token-new');
    await page.getByRole('button', { name: 'Generate token' }).click();
    const apiToken = (await page.locator('#new-token').textContent())!.trim();
    expect(apiToken).toMatch(/^lk_pat_/);
    expect(await oauth.gatewayStatus(apiToken)).toBe(200);
    await page.getByRole('link', { name: 'Back to Nightly export' }).click();
    expect(await page.content()).not.toContain(apiToken);
    await expect(page.getByRole('row', { name: /export job/ }).isVisible()).resolves.toBe(true);
    page.once('dialog', (d) => void d.accept());
    await page
      .getByRole('row', { name: /export job/ })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('revoked');
    expect(await oauth.gatewayStatusOnceRefused(apiToken)).toBe(401);

    // Account settings: a lifetime cap shows in the generate form, where "Never" is no longer offered
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account settings' }).click();
    await page.getByLabel('Longest token lifetime in days').fill('ninety');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect(page.locator('#maxLifetimeDays-error').textContent()).resolves.toContain('whole number');
    await page.getByLabel('Longest token lifetime in days').fill('90');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('saved');
    await check(page, 'account-settings');
    await page.goto(`${consoleUrl}/tokens/new`);
    await expect(
      page.getByText('The longest lifetime your accounts’ policies allow: 90 days.').isVisible(),
    ).resolves.toBe(true);
    await expect(page.getByLabel('Never').count()).resolves.toBe(0);
    await context.close();
  }, 180_000);

  it('sign in → generate a PAT with orders:read in one account → copy it → it works at the gateway → revoke it → the gateway refuses it', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: consoleUrl });
    const page = await signIn(context, ada);
    await check(page, 'home');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Personal access tokens' }).click();
    await page.waitForURL(`${consoleUrl}/tokens`);
    await check(page, 'tokens-empty');
    await page.getByRole('link', { name: 'Generate new token' }).click();
    await check(page, 'token-new');

    // a form sent without a name and without scopes says so next to the fields, in words
    await page.getByRole('button', { name: 'Generate token' }).click();
    await expect(page.locator('#name-error').textContent()).resolves.toContain('Give the token a name');
    await expect(page.locator('#scopes-error').textContent()).resolves.toContain('Tick at least one');
    await check(page, 'token-new-errors');

    await page.getByLabel('Name').fill('CI pipeline');
    await page.getByLabel('Description').fill('Reads orders for the nightly report');
    await page.getByLabel('30 days').check();
    await page.getByLabel('orders read').check();
    await page.getByRole('button', { name: 'Generate token' }).click();
    await expect(page.getByRole('heading', { name: 'Token “CI pipeline” created' }).isVisible()).resolves.toBe(true);
    const token = (await page.locator('#new-token').textContent())!.trim();
    expect(token).toMatch(/^lk_pat_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.locator('#new-token-copied').filter({ hasText: 'Copied.' }).waitFor({ timeout: 5_000 });
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);
    // the screenshot kept in docs/ shows a stand-in, not even this throwaway (soon revoked) token
    await page.evaluate(
      "document.getElementById('new-token').textContent = 'lk_pat_EXAMPLEonlyEXAMPLEonlyEXAMPLEonlyEXAMPLEonly'",
    );
    await check(page, 'token-created');

    // the copied token works at the gateway, in the account it was made for
    expect(await oauth.gatewayStatus(token)).toBe(200);

    // the list shows it; the page after the one that showed it never contains it
    await page.getByRole('link', { name: 'Back to your tokens' }).click();
    const list = await page.content();
    expect(list).toContain('CI pipeline');
    expect(list).not.toContain(token);
    await check(page, 'tokens');

    // its details and history; Regenerate replaces it (the old one stops working, the new one is shown once)
    await page.getByRole('link', { name: 'Details of CI pipeline' }).click();
    await expect(page.getByRole('list', { name: 'History' }).textContent()).resolves.toContain('Issued');
    await check(page, 'token');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Regenerate' }).click();
    const regenerated = (await page.locator('#new-token').textContent())!.trim();
    expect(regenerated).not.toBe(token);
    expect(await oauth.gatewayStatusOnceRefused(token)).toBe(401);
    expect(await oauth.gatewayStatus(regenerated)).toBe(200);
    await page.getByRole('link', { name: 'Back to your tokens' }).click();
    await page.getByRole('link', { name: 'Revoke CI pipeline' }).first().click();
    await check(page, 'token-revoke');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await page.waitForURL(`${consoleUrl}/tokens?revoked=1`);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('was revoked');
    expect(await oauth.gatewayStatusOnceRefused(regenerated)).toBe(401);

    // no token or secret in the browser: cookies, storage, and every page it still has
    const cookies = await context.cookies(consoleUrl);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['lk_console', true, 'Lax']]);
    const storage = await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    expect(storage).toBe('{}{}');
    for (const url of ['/', '/tokens', '/tokens?status=revoked', '/tokens/new']) {
      await page.goto(`${consoleUrl}${url}`);
      expect(await page.content()).not.toContain(token);
      expect(await page.content()).not.toContain(regenerated);
    }
    // nor in the console's own log lines
    expect(oauth.platform.tail('console', 400)).not.toContain(token);
    expect(oauth.platform.tail('console', 400)).not.toMatch(/lk_(at|rt|pat)_[A-Za-z0-9]{10}/);
    await context.close();
  }, 180_000);

  it('authorize an application → it is under Access & Security → revoke it there → its token is refused at once', async () => {
    const app = await oauth.registerApplication('Acme Reports', [redirectUri], ['orders:read']);
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await signIn(context, ada);
    // the person authorizes Acme Reports (already signed in at the authorization server: straight to consent)
    const verifier = randomBytes(32).toString('base64url');
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: redirectUri,
      scope: 'orders:read',
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    await page.goto(`${oauth.issuer}/oauth/authorize?${q}`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/\/callback\?/);
    const { code } = landings[landings.length - 1];
    const exchanged = await fetch(`${oauth.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basicAuth(app), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    const answer = (await exchanged.json()) as { access_token: string };
    expect({ status: exchanged.status, answer }).toMatchObject({
      status: 200,
      answer: { access_token: expect.any(String) },
    });
    const accessToken = answer.access_token;
    expect(await oauth.gatewayStatus(accessToken)).toBe(200);

    await page.goto(consoleUrl);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access & Security' }).click();
    await page.waitForURL(`${consoleUrl}/security`);
    const row = page.getByRole('row', { name: /Acme Reports/ });
    await expect(row.getByText('Read orders').isVisible()).resolves.toBe(true);
    await check(page, 'security');
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.waitForURL(`${consoleUrl}/security?done=revoked`);
    await expect(page.getByRole('row', { name: /Acme Reports/ }).count()).resolves.toBe(0);
    expect(await oauth.gatewayStatusOnceRefused(accessToken)).toBe(401);

    // change password: a wrong current password is said next to its field; then the new one works
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password', { exact: false }).first().fill('my brand new password');
    await page.getByLabel('Repeat the new password').fill('my brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('#current-error').isVisible()).resolves.toBe(true);
    await check(page, 'security-password-error');
    await page.getByLabel('Current password').fill(ada.password);
    await page.getByLabel('New password', { exact: false }).first().fill('my brand new password');
    await page.getByLabel('Repeat the new password').fill('my brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(`${consoleUrl}/security?done=password`);
    ada = { ...ada, password: 'my brand new password' };
    await context.close();
  }, 180_000);

  it('sign out ends the session and revokes its grant: the console’s token stops working', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await signIn(context, ada);
    const [cookie] = await context.cookies(consoleUrl);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${consoleUrl}/`);
    await expect(page.getByRole('link', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
    expect(await context.cookies(consoleUrl)).toEqual([]);
    // the old cookie, replayed, opens nothing
    const replay = await fetch(`${consoleUrl}/tokens`, {
      headers: { cookie: `${cookie.name}=${cookie.value}` },
      redirect: 'manual',
    });
    expect([replay.status, replay.headers.get('location')]).toEqual([303, '/login?return_to=%2Ftokens']);
    // after every walk above: no access, refresh or personal token, nor a client secret, in the console's log
    expect(oauth.platform.app('console').output.join('')).not.toMatch(/lk_(at|rt|pat|cs)_[A-Za-z0-9]{10}/);
    await context.close();
  }, 120_000);
});

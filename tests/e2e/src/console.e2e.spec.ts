import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '@latchkey/testing';
import { OAuthPlatform, type Person } from './oauth-platform';

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

  beforeAll(async () => {
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
    const password = 'the administrator’s first password';
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

    await page.getByRole('link', { name: 'Revoke CI pipeline' }).click();
    await check(page, 'token-revoke');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await page.waitForURL(`${consoleUrl}/tokens?revoked=1`);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('was revoked');
    expect(await oauth.gatewayStatusOnceRefused(token)).toBe(401);

    // no token or secret in the browser: cookies, storage, and every page it still has
    const cookies = await context.cookies(consoleUrl);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([['lk_console', true, 'Lax']]);
    const storage = await page.evaluate('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })');
    expect(storage).toBe('{}{}');
    for (const url of ['/', '/tokens', '/tokens?status=revoked', '/tokens/new']) {
      await page.goto(`${consoleUrl}${url}`);
      expect(await page.content()).not.toContain(token);
    }
    // nor in the console's own log lines
    expect(oauth.platform.tail('console', 400)).not.toContain(token);
    expect(oauth.platform.tail('console', 400)).not.toMatch(/lk_(at|rt|pat)_[A-Za-z0-9]{10}/);
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
    await context.close();
  }, 120_000);
});

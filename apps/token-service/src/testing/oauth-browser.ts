import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenHarness } from './token-harness';

/** The issuer the OAuth specs configure (a loopback http URL, as in development). */
export const TEST_ISSUER = 'http://127.0.0.1:3003';

/**
 * identity-service's login check as a loopback HTTP server answering its contract (the e2e suite
 * runs the real one): the users it knows, by e-mail.
 */
export class FakeLoginCheck {
  readonly users = new Map<string, { userId: string; password: string }>();
  private server: Server | null = null;

  /**
   * Starts it; returns the authorization server's settings for a test: LOGIN_CHECK_URL pointing
   * here, the loopback TEST_ISSUER, and cookies without Secure (plain http).
   */
  async start(): Promise<Record<'LOGIN_CHECK_URL' | 'OAUTH_ISSUER' | 'SESSION_COOKIE_SECURE', string>> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const { email, password } = JSON.parse(body) as { email: string; password: string };
        const u = this.users.get(email);
        const answer =
          u && u.password === password
            ? { ok: true, userId: u.userId, kind: 'human' }
            : { ok: false, reason: 'invalid_credentials' };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return {
      LOGIN_CHECK_URL: `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/internal/login-check`,
      OAUTH_ISSUER: TEST_ISSUER,
      SESSION_COOKIE_SECURE: 'false',
    };
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

/** A browser over `app.inject`: keeps cookies, follows nothing by itself. */
export class Browser {
  readonly jar = new Map<string, string>();
  constructor(private readonly h: TokenHarness) {}

  async get(url: string) {
    return this.keep(await this.h.app.inject({ method: 'GET', url, headers: this.headers() }));
  }

  async post(url: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    return this.keep(
      await this.h.app.inject({
        method: 'POST',
        url,
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      }),
    );
  }

  private headers() {
    return this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private keep<T extends { headers: Record<string, unknown> }>(res: T): T {
    for (const c of [res.headers['set-cookie'] ?? []].flat() as string[]) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
}

/** The CSRF token of a page's form. */
export const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
/** The action of a page's form. */
export const actionOf = (page: string) => /<form method="post" action="([^"]+)"/.exec(page)?.[1] ?? '';
/** The query parameters of a redirect. */
export const queryOf = (location: string) => Object.fromEntries(new URL(location).searchParams);

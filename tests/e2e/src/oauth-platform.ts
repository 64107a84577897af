import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@latchkey/testing';
import { call, Platform } from './platform';

/** A human user of the directory account with a password (a member: `orders:*` among others). */
export interface Person {
  userId: string;
  email: string;
  password: string;
}

/** An application as the registry registered it (its secret is in that answer only). */
export interface RegisteredApp {
  clientId: string;
  clientSecret: string;
  name: string;
}

/**
 * The whole platform for the OAuth end-to-end specs: identity-service, application-registry and
 * token-service from their builds with fresh databases, and a gateway whose one protected route
 * (`GET /orders/:accountId/*`, `orders:read` in that account) leads to an upstream that records
 * the identity headers the gateway sends it. Applications and users are made through the public
 * APIs with the bootstrap administrator's token, as an operator would.
 */
export class OAuthPlatform {
  readonly platform = new Platform();
  /** The identity headers of each request the upstream received behind the gateway. */
  readonly upstreamSaw: IncomingHttpHeaders[] = [];
  admin = '';
  /** The directory account (the bootstrap administrator's home account). */
  directory = '';
  private upstream: Server | null = null;

  get issuer(): string {
    return this.platform.url('token-service');
  }

  async start(): Promise<void> {
    const upstream = createServer((req, res) => {
      this.upstreamSaw.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"orders":[]}');
    });
    this.upstream = upstream;
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const routesFile = path.join(mkdtempSync(path.join(tmpdir(), 'lk-oauth-gw-')), 'routes.yaml');
    writeFileSync(
      routesFile,
      [
        'routes:',
        '  - name: orders',
        '    match: { path: /orders/:accountId/*, methods: [GET] }',
        `    upstream: http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        '    account: { param: accountId }',
        '    scopes: [orders:read]',
        '',
      ].join('\n'),
    );
    await this.platform.start(['identity-service', 'application-registry', 'token-service']);
    await this.platform.startGateway(routesFile);
    await this.platform.waitReady(this.platform.app('gateway'));
    this.admin = await this.platform.bootstrapAdminToken();
    const me = await waitFor(
      async () => {
        const r = await call('GET', this.identity('/v1/me'), this.admin);
        return r.status === 200 ? r.body : null;
      },
      { what: 'identity-service to accept the admin token' },
    );
    this.directory = me.homeAccountId;
  }

  async stop(): Promise<void> {
    await this.platform.stop();
    const upstream = this.upstream;
    if (upstream) await new Promise((r) => upstream.close(r));
  }

  identity(p: string): string {
    return `${this.platform.url('identity-service')}${p}`;
  }

  tokens(p: string): string {
    return `${this.platform.url('token-service')}${p}`;
  }

  /** A GET of the gateway's protected route in the directory account with `token`: the status. */
  async gatewayStatus(token: string): Promise<number> {
    const res = await fetch(`${this.platform.url('gateway')}/orders/${this.directory}/recent`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    return res.status;
  }

  /**
   * Polls the gateway's protected route until it refuses `token` (a revocation travels to the
   * gateway as an event: milliseconds); answers the last status seen, 401 once refused.
   */
  async gatewayStatusOnceRefused(token: string, giveUpAfterMs = 5_000): Promise<number> {
    const giveUp = Date.now() + giveUpAfterMs;
    for (;;) {
      const status = await this.gatewayStatus(token);
      if (status === 401 || Date.now() > giveUp) return status;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * A human member of the directory account with a password, once token-service knows them and
   * their membership (an administrator's PAT for them is refused with `user_unknown`,
   * `account_not_held` or `scope_not_held` until then).
   */
  async person(name: string): Promise<Person> {
    const email = `${name.toLowerCase()}@example.com`;
    const password = `correct horse battery ${randomBytes(6).toString('hex')}`;
    const user = await call('POST', this.identity(`/v1/accounts/${this.directory}/users`), this.admin, {
      kind: 'human',
      email,
      displayName: name,
      roles: ['member'],
    });
    if (user.status !== 201) throw new Error(`creating ${email}: ${user.status} ${user.text}`);
    const userId: string = user.body.userId;
    const set = await call(
      'PUT',
      this.identity(`/v1/accounts/${this.directory}/users/${userId}/password`),
      this.admin,
      { password },
    );
    if (set.status >= 300) throw new Error(`setting ${email}'s password: ${set.status} ${set.text}`);
    await waitFor(
      async () => {
        const r = await call(
          'POST',
          this.tokens(`/v1/accounts/${this.directory}/users/${userId}/personal-access-tokens`),
          this.admin,
          { name: 'known', scopes: ['orders:read'], expiresInDays: 1 },
        );
        if (['user_unknown', 'account_not_held', 'scope_not_held'].includes(r.body?.code)) return null;
        if (r.status !== 201) throw new Error(`unexpected ${r.status} ${r.text}`);
        return true;
      },
      { what: `token-service to know ${email}` },
    );
    return { userId, email, password };
  }

  /**
   * Registers a confidential application in the directory account through the registry's API
   * and waits until token-service's client read model knows it (its introspection endpoint
   * authenticates the client: 401 invalid_client before, 200 after).
   */
  async registerApplication(name: string, redirectUris: string[], allowedScopes: string[]): Promise<RegisteredApp> {
    const app = await call(
      'POST',
      `${this.platform.url('application-registry')}/v1/applications`,
      this.admin,
      {
        name,
        clientType: 'confidential',
        redirectUris,
        grantTypes: ['authorization_code', 'refresh_token'],
        allowedScopes,
      },
      { 'x-account-id': this.directory },
    );
    if (app.status !== 201) throw new Error(`registering ${name}: ${app.status} ${app.text}`);
    const registered: RegisteredApp = { clientId: app.body.clientId, clientSecret: app.body.clientSecret, name };
    await waitFor(
      async () => {
        const res = await fetch(this.tokens('/oauth/introspect'), {
          method: 'POST',
          headers: { authorization: basicAuth(registered), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: 'nothing' }).toString(),
        });
        await res.arrayBuffer();
        return res.status === 200;
      },
      { what: `token-service to know the application ${name}` },
    );
    return registered;
  }
}

/** HTTP Basic client authentication (RFC 6749 §2.3.1: id and secret form-encoded first). */
export function basicAuth(app: RegisteredApp): string {
  const enc = (s: string) => encodeURIComponent(s);
  return `Basic ${Buffer.from(`${enc(app.clientId)}:${enc(app.clientSecret)}`).toString('base64')}`;
}

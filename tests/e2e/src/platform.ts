import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { createEmptyDatabase, repoRoot, type EmptyDatabase } from '@latchkey/testing';

export type AppName = 'identity-service' | 'application-registry' | 'token-service' | 'gateway' | 'console';

export interface RunningApp {
  name: AppName;
  url: string;
  internalUrl: string | null;
  db: EmptyDatabase;
  child: ChildProcess;
  output: string[];
}

/** A free TCP port on the loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The platform as an operator runs it: each service from its build (`node apps/<app>/dist/main.js`)
 * with a fresh database (migrated by its own `dist/migrate.js`), the real Kafka topics, its own
 * ports, and the shared internal service credential.
 */
export class Platform {
  readonly apps = new Map<AppName, RunningApp>();
  /** Each app's ports, chosen before any starts, so every app knows where the others listen. */
  private readonly ports = new Map<AppName, { port: number; internalPort: number | null }>();
  readonly internalToken = randomBytes(24).toString('base64url');
  readonly adminEmail = `admin-${randomBytes(4).toString('hex')}@e2e.example.com`;
  /** This run's console client id: runs share the Kafka topics, so each registers a console of its own. */
  readonly consoleClientId = randomUUID();

  async start(names: AppName[], env: Partial<Record<AppName, Record<string, string>>> = {}): Promise<void> {
    for (const name of ['identity-service', 'application-registry', 'token-service', 'gateway', 'console'] as AppName[])
      await this.portsOf(name);
    for (const name of names) this.apps.set(name, await this.launch(name, env[name] ?? {}));
    await Promise.all([...this.apps.values()].map((app) => this.waitReady(app)));
  }

  /**
   * Starts the gateway (after token-service: it introspects there) with the route policy in
   * `routesFile` and extra settings; answers once the process listens (not once it is ready:
   * tests look at the 503s before that).
   */
  async startGateway(routesFile: string, env: Record<string, string> = {}): Promise<RunningApp> {
    const app = await this.launch('gateway', {
      ROUTES_FILE: routesFile,
      INTROSPECTION_URL: `${this.app('token-service').internalUrl}/internal/introspect`,
      ...env,
    });
    this.apps.set('gateway', app);
    await this.waitListening(app);
    return app;
  }

  /** Stops one app (SIGTERM) and waits for it to exit; its database stays. */
  async stopApp(name: AppName): Promise<void> {
    const app = this.app(name);
    if (app.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      app.child.once('exit', () => resolve());
      app.child.kill('SIGTERM');
    });
  }

  /** Issues the bootstrap administrator's token with the operator CLI (once token-service knows the admin). */
  async bootstrapAdminToken(): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = this.cli([
        'pat',
        'create',
        '--user',
        this.adminEmail,
        '--name',
        `bootstrap-${randomBytes(3).toString('hex')}`,
        '--scopes',
        'all',
        '--all-accounts',
        '--expires-in-days',
        '1',
      ]);
      if (r.status === 0) return r.stdout.trim();
      if (Date.now() > deadline) throw new Error(`the CLI could not issue the bootstrap token: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  url(name: AppName): string {
    return this.apps.get(name)!.url;
  }

  app(name: AppName): RunningApp {
    return this.apps.get(name)!;
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.apps.values()].map(
        (app) =>
          new Promise<void>((resolve) => {
            if (app.child.exitCode !== null) return resolve();
            app.child.once('exit', () => resolve());
            app.child.kill('SIGTERM');
            setTimeout(() => app.child.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    for (const app of this.apps.values()) await app.db.drop();
  }

  /** Runs token-service's operator CLI with the service's database; returns exit code, stdout and stderr. */
  cli(args: string[]): { status: number; stdout: string; stderr: string } {
    const tokens = this.app('token-service');
    const r = spawnSync(process.execPath, [path.join(repoRoot(), 'apps/token-service/dist/cli/latchkey.js'), ...args], {
      env: { ...process.env, DATABASE_URL: tokens.db.url, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  /** The last lines an app printed (for a failing test's message). */
  tail(name: AppName, lines = 30): string {
    return this.app(name).output.slice(-lines).join('');
  }

  private async launch(name: AppName, extraEnv: Record<string, string> = {}): Promise<RunningApp> {
    const root = repoRoot();
    const db =
      name === 'gateway'
        ? (this.apps.get('gateway')?.db ?? (await createEmptyDatabase()))
        : await createEmptyDatabase();
    if (name !== 'gateway') {
      const migrated = spawnSync(process.execPath, [path.join(root, `apps/${name}/dist/migrate.js`)], {
        env: { ...process.env, DATABASE_URL: db.url },
        encoding: 'utf8',
      });
      if (migrated.status !== 0) throw new Error(`${name} migrations failed: ${migrated.stdout}${migrated.stderr}`);
    }
    const { port, internalPort } = await this.portsOf(name);
    const tokenInternal = (await this.portsOf('token-service')).internalPort;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.url,
      LOG_LEVEL: 'log',
      INTERNAL_SERVICE_TOKEN: this.internalToken,
      ...(internalPort !== null ? { INTERNAL_HOST: '127.0.0.1', INTERNAL_PORT: String(internalPort) } : {}),
      // no password for the administrator: identity-service prints the first sign-in link to the console
      ...(name === 'identity-service'
        ? {
            BOOTSTRAP_ADMIN_EMAIL: this.adminEmail,
            CONSOLE_URL: `http://127.0.0.1:${(await this.portsOf('console')).port}`,
          }
        : {}),
      // the registry registers this run's console client at its start
      ...(name === 'application-registry'
        ? {
            CONSOLE_CLIENT_ID: this.consoleClientId,
            CONSOLE_REDIRECT_URI: `http://127.0.0.1:${(await this.portsOf('console')).port}/callback`,
          }
        : {}),
      ...(name === 'console'
        ? {
            PUBLIC_URL: `http://127.0.0.1:${port}`,
            OAUTH_CLIENT_ID: this.consoleClientId,
            SESSION_KEY: randomBytes(32).toString('hex'),
            TOKEN_SERVICE_URL: `http://127.0.0.1:${(await this.portsOf('token-service')).port}`,
            TOKEN_SERVICE_API_URL: `http://127.0.0.1:${(await this.portsOf('token-service')).port}`,
            IDENTITY_URL: `http://127.0.0.1:${(await this.portsOf('identity-service')).port}`,
            APPLICATION_REGISTRY_URL: `http://127.0.0.1:${(await this.portsOf('application-registry')).port}`,
          }
        : {}),
      // every verifier asks token-service about a token it does not know yet (read-your-writes)
      ...(name === 'identity-service' || name === 'application-registry'
        ? { INTROSPECTION_URL: `http://127.0.0.1:${tokenInternal}/internal/introspect` }
        : {}),
      // the authorization server: its issuer is its own public URL; passwords are checked at identity-service
      ...(name === 'token-service'
        ? {
            OAUTH_ISSUER: `http://127.0.0.1:${port}`,
            LOGIN_CHECK_URL: `http://127.0.0.1:${(await this.portsOf('identity-service')).internalPort}/internal/login-check`,
            SESSION_COOKIE_SECURE: 'false',
          }
        : {}),
      ...extraEnv,
    };
    if (name === 'gateway') delete env.DATABASE_URL;
    const child = spawn(process.execPath, [path.join(root, `apps/${name}/dist/main.js`)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return {
      name,
      url: `http://127.0.0.1:${port}`,
      internalUrl: internalPort === null ? null : `http://127.0.0.1:${internalPort}`,
      db,
      child,
      output,
    };
  }

  private async portsOf(name: AppName): Promise<{ port: number; internalPort: number | null }> {
    let ports = this.ports.get(name);
    if (!ports) {
      ports = {
        port: await freePort(),
        internalPort:
          name === 'application-registry' || name === 'gateway' || name === 'console' ? null : await freePort(),
      };
      this.ports.set(name, ports);
    }
    return ports;
  }

  private async waitListening(app: RunningApp, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (app.child.exitCode !== null)
        throw new Error(`${app.name} exited with ${app.child.exitCode}:\n${app.output.join('').slice(-3000)}`);
      try {
        await fetch(`${app.url}/healthz`);
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`${app.name} not listening within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async waitReady(app: RunningApp, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (app.child.exitCode !== null)
        throw new Error(`${app.name} exited with ${app.child.exitCode}:\n${app.output.join('').slice(-3000)}`);
      try {
        const res = await fetch(`${app.url}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${app.name} not ready within ${timeoutMs} ms:\n${app.output.join('').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** JSON over HTTP with a bearer token (the body is whatever the service answered: tests read its fields). */
export async function call(
  method: string,
  url: string,
  token: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text };
}

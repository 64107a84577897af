import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { createEmptyDatabase, repoRoot, type EmptyDatabase } from '@latchkey/testing';

export type AppName = 'identity-service' | 'application-registry' | 'token-service';

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
  readonly internalToken = randomBytes(24).toString('base64url');
  readonly adminEmail = `admin-${randomBytes(4).toString('hex')}@e2e.example.com`;

  async start(names: AppName[]): Promise<void> {
    for (const name of names) this.apps.set(name, await this.launch(name));
    await Promise.all([...this.apps.values()].map((app) => this.waitReady(app)));
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

  private async launch(name: AppName): Promise<RunningApp> {
    const db = await createEmptyDatabase();
    const root = repoRoot();
    const migrated = spawnSync(process.execPath, [path.join(root, `apps/${name}/dist/migrate.js`)], { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' });
    if (migrated.status !== 0) throw new Error(`${name} migrations failed: ${migrated.stdout}${migrated.stderr}`);
    const port = await freePort();
    const internalPort = name === 'application-registry' ? null : await freePort();
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.url,
      LOG_LEVEL: 'log',
      INTERNAL_SERVICE_TOKEN: this.internalToken,
      ...(internalPort !== null ? { INTERNAL_HOST: '127.0.0.1', INTERNAL_PORT: String(internalPort) } : {}),
      ...(name === 'identity-service' ? { BOOTSTRAP_ADMIN_EMAIL: this.adminEmail } : {}),
    };
    const child = spawn(process.execPath, [path.join(root, `apps/${name}/dist/main.js`)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return { name, url: `http://127.0.0.1:${port}`, internalUrl: internalPort === null ? null : `http://127.0.0.1:${internalPort}`, db, child, output };
  }

  private async waitReady(app: RunningApp, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (app.child.exitCode !== null) throw new Error(`${app.name} exited with ${app.child.exitCode}:\n${app.output.join('').slice(-3000)}`);
      try {
        const res = await fetch(`${app.url}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${app.name} not ready within ${timeoutMs} ms:\n${app.output.join('').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** JSON over HTTP with a bearer token (the body is whatever the service answered: tests read its fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call(method: string, url: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
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

#!/usr/bin/env node
// npm start — the whole of Latchkey on this machine, without Docker:
//   1. node infra/scripts/infra.mjs up     Kafka and PostgreSQL (and the databases)
//   2. npx turbo run build
//   3. node infra/scripts/migrate.mjs      each app with a database migrates it
//   4. every app under apps/ (node apps/<app>/dist/main.js), output prefixed with its name,
//      until each answers GET /healthz; then a table of where each listens.
// Ctrl-C (SIGINT) or SIGTERM stops the apps; Kafka and PostgreSQL stay up (npm run infra:down).
// If an app dies while starting, its last output is printed and the script exits non-zero.
//
// Per-app settings (PREFIX: identity-service → IDENTITY, application-registry →
// APPLICATION_REGISTRY, token-service → TOKEN, gateway → GATEWAY):
//   <PREFIX>_PORT, <PREFIX>_HOST, <PREFIX>_DATABASE_URL   → the app's PORT, HOST, DATABASE_URL
//   e.g. IDENTITY_PORT=4001 GATEWAY_PORT=9090 npm start
// identity-service: BOOTSTRAP_ADMIN_EMAIL (default admin@latchkey.localhost), BOOTSTRAP_ADMIN_PASSWORD;
// without a password it prints a one-time first sign-in link, repeated here below the table.
// Shared: KAFKA_BROKERS, LOG_LEVEL. STARTUP_TIMEOUT_SECONDS (60) bounds the wait for /healthz.
/* global fetch, AbortSignal, setInterval */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { appEnv, discoverApps, repo } from './migrate.mjs';

const STARTUP_TIMEOUT_MS = Number(process.env.STARTUP_TIMEOUT_SECONDS ?? 60) * 1000;
const STOP_TIMEOUT_MS = 10_000;
const TAIL_LINES = 40;

const log = (m) => console.log(`[start] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let stopping = false;
let phaseChild = null; // the infra/build/migrate step running now, if any
const running = new Map(); // app name → { app, child, tail, exited }
/** identity-service's first sign-in link, when it printed one (no administrator password yet). */
let firstSignInLink = null;

/** Runs one preparation step with inherited output; resolves with its exit code. */
function step(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repo, stdio: 'inherit' });
    phaseChild = child;
    child.on('error', (err) => {
      console.error(`[start] ${command}: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      phaseChild = null;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** Where an app will listen, from its own config spec (dist/config/<app>.config.js exports <APP>_ENV). */
function listenAddress(app, env) {
  const specFile = path.join(app.dir, 'dist', 'config', `${app.name}.config.js`);
  const exportName = `${app.name.toUpperCase().replace(/-/g, '_')}_ENV`;
  if (!existsSync(specFile))
    throw new Error(
      `${path.relative(repo, specFile)} is missing (an app exports ${exportName} from src/config/${app.name}.config.ts)`,
    );
  const requireFromApp = createRequire(specFile);
  const spec = requireFromApp(specFile)[exportName];
  if (!spec) throw new Error(`${path.relative(repo, specFile)} does not export ${exportName}`);
  const { readEnv } = requireFromApp('@latchkey/config');
  const config = readEnv(spec, env); // throws a ConfigError naming each bad variable
  const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST === '::' ? '::1' : config.HOST;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${config.PORT}`, bind: `${config.HOST}:${config.PORT}` };
}

function launch(app, env, width) {
  const child = spawn(process.execPath, [app.main], {
    cwd: app.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a terminal's Ctrl-C reaches this script only, which stops each app once.
    detached: true,
  });
  const entry = { app, child, tail: [], exited: null };
  const label = app.name.padEnd(width);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      entry.tail.push(line);
      if (entry.tail.length > TAIL_LINES) entry.tail.shift();
      const link = /(https?:\/\/\S+\/setup\?code=[A-Za-z0-9_-]+)/.exec(line);
      if (link) firstSignInLink = link[1];
      process.stdout.write(`${label} | ${line}\n`);
    });
  }
  entry.exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      entry.exited = { code, signal };
      resolve(entry.exited);
      if (!stopping) onUnexpectedExit(entry);
    });
    child.on('error', (err) => {
      entry.tail.push(err.message);
      entry.exited = { code: 1, signal: null };
      resolve(entry.exited);
    });
  });
  running.set(app.name, entry);
  return entry;
}

function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

function printTail(entry) {
  console.error(`[start] last output of ${entry.app.name}:`);
  for (const line of entry.tail.length ? entry.tail : ['(none)']) console.error(`    ${line}`);
}

let started = false;
function onUnexpectedExit(entry) {
  if (!started) return; // during start-up, waitHealthy reports it
  console.error(`[start] ${entry.app.name} exited (${describeExit(entry.exited)})`);
  printTail(entry);
  if ([...running.values()].every((e) => e.exited)) {
    console.error('[start] no app is running any more');
    process.exit(1);
  }
}

async function waitHealthy(entry, url) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (entry.exited) throw new Error(`${entry.app.name} exited while starting (${describeExit(entry.exited)})`);
    if (stopping) throw new Error('stopped');
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(`${entry.app.name} did not answer ${url}/healthz within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

async function stopApps() {
  const alive = [...running.values()].filter((e) => !e.exited);
  for (const e of alive) {
    try {
      e.child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const all = Promise.all(alive.map((e) => e.exitPromise));
  const timedOut = await Promise.race([all.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (timedOut) {
    for (const e of alive.filter((x) => !x.exited)) {
      console.error(`[start] ${e.app.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
      e.child.kill('SIGKILL');
    }
    await all;
  }
  return alive.length;
}

async function shutdown(reason, signal = reason) {
  if (stopping) return;
  stopping = true;
  if (phaseChild) phaseChild.kill(signal);
  log(`${reason}: stopping the apps`);
  const n = await stopApps();
  log(`${n} app(s) stopped. Kafka and PostgreSQL are still running; \`npm run infra:down\` stops them.`);
  process.exit(started ? 0 : 130);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal));
// `npm start` runs this script under `sh -c`; a signal sent to npm alone kills the shell but not
// this script. Orphaned (parent gone), stop as if signalled rather than leave the apps running.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown('parent process exited', 'SIGTERM');
}, 1000).unref();
// Last resort if this script dies some other way: do not leave detached apps behind.
process.on('exit', () => {
  for (const e of running.values()) if (!e.exited) e.child.kill('SIGKILL');
});

async function fail(message, entry) {
  console.error(`[start] ${message}`);
  if (entry) printTail(entry);
  stopping = true;
  await stopApps();
  process.exit(1);
}

async function main() {
  log('infrastructure: Kafka and PostgreSQL');
  if ((await step(process.execPath, ['infra/scripts/infra.mjs', 'up'])) !== 0)
    return fail('infrastructure did not start');
  if (stopping) return;
  log('build: npx turbo run build');
  if ((await step('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'])) !== 0) return fail('build failed');
  if (stopping) return;
  log('migrations');
  if ((await step(process.execPath, ['infra/scripts/migrate.mjs'])) !== 0) return fail('migrations failed');
  if (stopping) return;

  const apps = discoverApps();
  const plans = [];
  for (const app of apps) {
    if (!existsSync(app.main)) return fail(`${path.relative(repo, app.main)} is missing after the build`);
    const env = appEnv(app);
    // a local installation gets its directory account and first administrator (no password:
    // a PAT for it comes from token-service's operator CLI); set BOOTSTRAP_ADMIN_EMAIL to choose
    if (app.name === 'identity-service' && !env.BOOTSTRAP_ADMIN_EMAIL)
      env.BOOTSTRAP_ADMIN_EMAIL = 'admin@latchkey.localhost';
    try {
      plans.push({ app, env, ...listenAddress(app, env) });
    } catch (err) {
      const hint = `npm start sets its HOST, PORT and DATABASE_URL from ${['HOST', 'PORT', 'DATABASE_URL'].map((v) => `${app.prefix}_${v}`).join(', ')}`;
      return fail(`${app.name}: ${err.message}\n  (${hint})`);
    }
  }

  const width = Math.max(...apps.map((a) => a.name.length));
  log(`starting ${apps.map((a) => a.name).join(', ')}`);
  const entries = plans.map((p) => ({ ...p, entry: launch(p.app, p.env, width) }));
  try {
    // The first app that dies or does not answer in time fails the start at once.
    await Promise.all(
      entries.map((p) => waitHealthy(p.entry, p.url).catch((err) => Promise.reject({ err, entry: p.entry }))),
    );
  } catch ({ err, entry }) {
    if (stopping) return;
    return fail(err.message, entry);
  }
  if (stopping) return;
  started = true;

  const rows = entries.map((p) => [p.app.name, p.url, `${p.url}/healthz`, String(p.entry.child.pid)]);
  const header = ['service', 'url', 'health', 'pid'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`;
  console.log('');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  console.log('');
  // said again below the table, where a newcomer looks: the line scrolled past among the start-up logs
  if (firstSignInLink)
    log(
      `first sign-in: open ${firstSignInLink} to choose the administrator's password (works once, for 24 hours; the next start prints a new one until a password is set)`,
    );
  log('all apps are up. Ctrl-C stops them (Kafka and PostgreSQL stay up: `npm run infra:down`).');
}

main().catch((err) => fail(err.stack ?? String(err)));

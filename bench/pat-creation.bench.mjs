// token-service benchmark (issue 6): personal access token creations per second and their
// latency at 16 concurrent clients, through the real service (`apps/token-service/dist/main.js`
// as a child process, HTTP on a free port) with its event store and outbox, on a fresh database
// and the real Kafka (npm run infra:up). Run: npm run bench -- pat-creation
// Env: BENCH_SECONDS (measured period, default 10), BENCH_WARMUP_SECONDS (default 2),
// BENCH_CLIENTS (default 16), BENCH_LOG_LEVEL (the service's LOG_LEVEL, default its own: log),
// BENCH_PG_URL (the PostgreSQL server, default postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_SERVICE_MAIN (experiments only: another build of the service, default its dist/main.js).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpuShares, cpuSnapshot, freePort, waitUntil } from './lib/processes.mjs';
import { humanUserMessages } from './lib/directory-events.mjs';
import { createScratchDatabase } from './lib/postgres.mjs';
import { summarize, report } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');
const { Topics } = require('@latchkey/contracts');
const { EventProducer, createKafka } = require('@latchkey/messaging');
const { EventFactory } = require('@latchkey/token-verifier/testing');

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const REQUEST_TIMEOUT_MS = 10_000;
// for experiments only: another build of the service (e.g. a patched copy run with NODE_PATH)
const SERVICE_MAIN = process.env.BENCH_SERVICE_MAIN ?? 'apps/token-service/dist/main.js';
const PERMISSIONS = ['orders:read', 'personal_access_tokens:create'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs a node script to its end; rejects with its output on a non-zero exit. */
function runNode(script, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}:\n${out}`))));
  });
}

/** The service as a child process; keeps the last lines of its output for a failure report. */
function startService(env) {
  const child = spawn(process.execPath, [SERVICE_MAIN], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  const keep = (d) => {
    for (const line of String(d).split('\n')) if (line) tail.push(line);
    if (tail.length > 60) tail.splice(0, tail.length - 60);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // last resort if this process dies first: never leave the service running
  const killOnExit = () => child.exitCode === null && child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    name: 'token-service',
    child,
    tail,
    exited,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

/** One HTTP request on a keep-alive agent; resolves { status, body } (body parsed when JSON). */
function request(agent, port, method, urlPath, { token, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export async function run() {
  const kafka = createKafka({ clientId: 'bench-pat-creation' });
  const producer = new EventProducer(kafka);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 2 });
  let service = null;
  let database = null;
  try {
    database = await createScratchDatabase();
    const databaseUrl = database.url;
    await runNode('apps/token-service/dist/migrate.js', { DATABASE_URL: databaseUrl });

    const [port, internalPort] = [await freePort(), await freePort()];
    service = startService({
      HOST: '127.0.0.1',
      PORT: String(port),
      INTERNAL_HOST: '127.0.0.1',
      INTERNAL_PORT: String(internalPort),
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
    });
    const startedAt = performance.now();
    await waitUntil(
      'GET /readyz 200',
      async () => (await request(agent, port, 'GET', '/readyz')).status === 200,
      120_000,
      service,
    );
    const readyAfterMs = Math.round(performance.now() - startedAt);

    // users as identity-service would publish them, and one PAT each as token-service would
    const factory = new EventFactory();
    const account = randomUUID();
    const users = Array.from({ length: CLIENTS }, () => ({ userId: randomUUID() }));
    await producer.connect();
    await producer.publish(
      humanUserMessages(
        factory,
        Topics.identity,
        users.map(({ userId }) => ({ userId, email: `${userId}@bench.example.com` })),
        account,
        PERMISSIONS,
      ),
    );
    const issued = users.map((u) => {
      const pat = factory.pat(u.userId, { accountIds: [account], scopes: PERMISSIONS });
      u.token = pat.token;
      return { topic: Topics.tokens, envelope: pat.issued };
    });
    await producer.publish(issued);

    // ready for the bench once every user can create a token (directory and verifier have them)
    const body = (name) => ({ name, scopes: ['orders:read'], accountIds: [account] });
    for (const [i, u] of users.entries()) {
      let lastStatus;
      await waitUntil(
        `a first creation by user ${i}`,
        async () => {
          const r = await request(agent, port, 'POST', '/v1/personal-access-tokens', {
            token: u.token,
            body: body(`probe-${i}-${randomUUID()}`),
          });
          lastStatus = `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
          if (r.status !== 201 && r.status !== 401 && r.status !== 403 && r.status !== 422 && r.status !== 404)
            throw new Error(lastStatus);
          return r.status === 201;
        },
        60_000,
        service,
      ).catch((err) => {
        throw new Error(`${err.message}\nlast answer: ${lastStatus}`);
      });
    }

    // the load: CLIENTS clients, each its own user and its own keep-alive connection
    const t0 = performance.now();
    const measureFrom = t0 + WARMUP * 1000;
    const measureTo = measureFrom + SECONDS * 1000;
    const latencies = [];
    const errors = {};
    const warmupErrors = {};
    let created = 0;
    let warmupCreated = 0;
    let cpuStart = null;
    const cpuTimer = setTimeout(
      () => (cpuStart = cpuSnapshot({ service: service.child.pid })),
      Math.max(0, measureFrom - performance.now()),
    );
    let cpuEnd = null;
    const cpuEndTimer = setTimeout(
      () => (cpuEnd = cpuSnapshot({ service: service.child.pid })),
      Math.max(0, measureTo - performance.now()),
    );
    await Promise.all(
      users.map(async (u, i) => {
        for (let seq = 0; performance.now() < measureTo; seq++) {
          const start = performance.now();
          let status;
          try {
            status = (
              await request(agent, port, 'POST', '/v1/personal-access-tokens', {
                token: u.token,
                body: body(`bench-${i}-${seq}`),
              })
            ).status;
          } catch (err) {
            status = err.message.startsWith('timeout') ? 'timeout' : (err.code ?? 'network');
          }
          const end = performance.now();
          if (start < measureFrom) {
            if (status === 201) warmupCreated++;
            else warmupErrors[status] = (warmupErrors[status] ?? 0) + 1;
            continue;
          }
          if (status !== 201)
            errors[status] = (errors[status] ?? 0) + 1; // a failure counts whenever it ends
          else if (end <= measureTo) {
            created++;
            latencies.push(end - start);
          } // else: a creation started in the window and finished after it is not counted
        }
      }),
    );
    clearTimeout(cpuTimer);
    clearTimeout(cpuEndTimer);
    cpuEnd ??= cpuSnapshot({ service: service.child.pid });

    // the events of every creation left through the outbox (Kafka acknowledged them)
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    let drain;
    try {
      const drainStart = performance.now();
      let pending = Number((await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n);
      const pendingAtEnd = pending;
      while (pending > 0 && performance.now() - drainStart < 30_000) {
        await sleep(20);
        pending = Number((await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n);
      }
      const counts = (
        await db.query(
          'SELECT (SELECT count(*)::int FROM events) AS events, (SELECT count(*)::int FROM pats) AS pats, (SELECT count(*)::int FROM token_hashes) AS hashes',
        )
      ).rows[0];
      drain = {
        outboxAtEnd: pendingAtEnd,
        outboxAfterDrain: pending,
        drainedInMs: Math.round(performance.now() - drainStart),
        eventsStored: counts.events,
        patsInReadModel: counts.pats,
        tokenHashes: counts.hashes,
      };
    } finally {
      await db.end();
    }
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    return report('pat-creation', {
      seconds: SECONDS,
      warmupSeconds: WARMUP,
      clients: CLIENTS,
      service: SERVICE_MAIN,
      serviceLogLevel: process.env.BENCH_LOG_LEVEL ?? 'log (default)',
      serviceReadyAfterMs: readyAfterMs,
      warmupCreated,
      warmupErrors,
      created,
      creationsPerSecond: Math.round(created / SECONDS),
      latencyMs: summarize(latencies),
      errors: errorCount,
      errorsByStatus: errors,
      cpuCoresBusy: cpuStart && cpuEnd ? cpuShares(cpuStart, cpuEnd, 'benchClients') : null,
      outbox: drain,
      goal: {
        creationsPerSecond: 500,
        p99Ms: 100,
        met: created / SECONDS >= 500 && latencies.length > 0 && summarize(latencies).p99 <= 100,
      },
    });
  } finally {
    agent.destroy();
    await producer.disconnect().catch(() => {});
    if (service) {
      const r = await service.stop();
      if (r.code !== 0)
        console.error(
          `token-service exited ${r.code ?? r.signal}; its last lines:\n${service.tail.slice(-20).join('\n')}`,
        );
    }
    await database?.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

// gateway benchmark (issue 7): with autocannon against a trivial upstream on loopback, side by
// side in one run on the same machine:
//   (a) the gateway (`apps/gateway/dist/main.js`, a child process) on a protected route
//       (scopes [orders:read], account from the X-Account-Id header), a PAT verified from its
//       Kafka-fed projection;
//   (b) the same gateway process on a public route to the same upstream: the same proxy with no
//       authentication, our ceiling;
//   (c) an introspection-per-request gateway (bench/gateway/introspection-proxy.mjs: node:http +
//       undici) in front of oidc-provider (npm, bench/gateway/oidc-server.mjs), calling its RFC
//       7662 introspection endpoint (client_secret_basic) for every request with an opaque access
//       token from its client_credentials grant, its tokens kept in its default in-memory adapter
//       (which oidc-provider calls development-only);
//   (c-pg) the same, with oidc-provider storing its tokens in PostgreSQL
//       (bench/gateway/oidc-pg-adapter.mjs, a scratch database) as it would in production.
//   (0) for reference only: the upstream directly, no proxy.
// Goals: (a) ≥ 0.8 × (b) and ≥ 5 × (c) in requests/s; p99 of (a) ≤ 1.5 × p99 of (b). Both (c)
// configurations are reported against the 5× goal.
// The gateway reads the real topics (identity.events.v1, tokens.events.v1,
// applications.events.v1): the bench publishes one user and one PAT of its own to them (random
// ids, no effect on anything else). Needs the real Kafka (npm run infra:up).
// Run: npm run bench -- gateway   (or: node bench/gateway.bench.mjs after a build)
// Env: BENCH_SECONDS (each measured run, default 10), BENCH_WARMUP_SECONDS (default 3, before
// each), BENCH_CONNECTIONS (default 32), BENCH_DIRECT (1 = also measure (0), default 1),
// BENCH_ROUNDS (each side's BENCH_SECONDS is measured as this many interleaved slices, default 3),
// BENCH_QUIET_WAIT_SECONDS (longest wait for a quiet machine before each slice, default 60),
// BENCH_GATEWAY_MAIN (experiments only: another build of the gateway, default its dist/main.js),
// BENCH_PG_URL (the PostgreSQL server for (c-pg)'s scratch database),
// BENCH_ONLY (experiments only: some sides in this order, e.g. b,a; sides a, b, c, p = (c-pg), 0), BENCH_GATEWAY_NODE_ARGS (experiments only:
// node flags for the gateway, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuShares, cpuSnapshot, freePort, startChild, waitQuiet, waitUntil } from './lib/processes.mjs';
import { createScratchDatabase } from './lib/postgres.mjs';
import { report } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const pg = require('pg');
const { Topics } = require('@latchkey/contracts');
const { EventProducer, createKafka } = require('@latchkey/messaging');
const { EventFactory } = require('@latchkey/token-verifier/testing');
const { TokenProjection, verifyToken, authenticateBearer } = require('@latchkey/token-verifier');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DIRECT = (process.env.BENCH_DIRECT ?? '1') !== '0';
const QUIET_WAIT = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GATEWAY_MAIN = process.env.BENCH_GATEWAY_MAIN ?? 'apps/gateway/dist/main.js';
// experiments only: measure some sides (a, b, c, 0), e.g. with the gateway under --cpu-prof
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const GATEWAY_NODE_ARGS = process.env.BENCH_GATEWAY_NODE_ARGS
  ? process.env.BENCH_GATEWAY_NODE_ARGS.split(' ').filter(Boolean)
  : [];
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const SCOPES = ['orders:read'];
const CLIENT_SECRET = `bench-${randomUUID()}-${randomUUID()}`;
const REQUEST_PATH = '/orders/42';

const fetch = globalThis.fetch; // Node's built-in (undici)

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, pipelining: 1, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/** One side: a quiet machine (if it comes), a warm-up run, then the measured run with CPU snapshots around it. */
async function measure(label, url, headers, pids, { seconds = SECONDS, warmup = WARMUP } = {}) {
  const before0 = await waitQuiet(QUIET_WAIT);
  await cannon({ url, headers, duration: warmup });
  const before = cpuSnapshot(pids);
  const r = await cannon({ url, headers, duration: seconds });
  const after = cpuSnapshot(pids);
  const total = r.requests.total;
  const cpu = cpuShares(before, after, 'autocannon');
  // CPU time per request, µs, of each process (what one request costs it)
  const perRequestUs = {};
  for (const name of [...Object.keys(pids), 'autocannon'])
    perRequestUs[name] = Math.round(((cpu[name] * ((after.at - before.at) / 1000)) / Math.max(1, total)) * 1e6);
  const out = {
    label,
    url,
    requestsPerSecond: Math.round(total / ((after.at - before.at) / 1000)),
    requestsPerSecondAutocannonAvg: r.requests.average,
    requests: total,
    durationSeconds: Math.round(after.at - before.at) / 1000,
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: r.latency.average,
    },
    status2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    machineBeforeWarmup: before0,
    cpuCoresBusy: cpu,
    cpuPerRequestUs: perRequestUs,
  };
  console.error(
    `[bench gateway] ${label} (machine before: ${JSON.stringify(before0)}): ${out.requestsPerSecond} req/s, p50 ${out.latencyMs.p50} ms, p99 ${out.latencyMs.p99} ms, non-2xx ${out.non2xx}, errors ${out.errors}; cores ${JSON.stringify(cpu)}`,
  );
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * One side over its interleaved slices: requests/s = all its requests / all its measured time;
 * latency percentiles = the median over the slices of each slice's percentile (autocannon gives
 * percentiles, not mergeable histograms; max = the largest); CPU = time-weighted.
 */
function combine(slices) {
  if (slices.length === 0) return null;
  const requests = slices.reduce((t, x) => t + x.requests, 0);
  const seconds = slices.reduce((t, x) => t + x.durationSeconds, 0);
  const lat = {};
  for (const k of ['p50', 'p90', 'p97_5', 'p99', 'mean'])
    lat[k] = Math.round(median(slices.map((x) => x.latencyMs[k])) * 100) / 100;
  lat.max = Math.max(...slices.map((x) => x.latencyMs.max));
  const avg = (get) => {
    const out = {};
    for (const k of Object.keys(get(slices[0])))
      out[k] = Math.round((slices.reduce((t, x) => t + get(x)[k] * x.durationSeconds, 0) / seconds) * 100) / 100;
    return out;
  };
  const cores = avg((x) => x.cpuCoresBusy);
  const perRequestUs = {};
  for (const k of Object.keys(slices[0].cpuPerRequestUs))
    perRequestUs[k] = Math.round((cores[k] * seconds * 1e6) / Math.max(1, requests));
  const sum = (k) => slices.reduce((t, x) => t + x[k], 0);
  return {
    label: slices[0].label,
    url: slices[0].url,
    requestsPerSecond: Math.round(requests / seconds),
    requests,
    durationSeconds: seconds,
    latencyMs: lat,
    status2xx: sum('status2xx'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    cpuCoresBusy: cores,
    cpuPerRequestUs: perRequestUs,
    slices: slices.map((x) => ({
      requestsPerSecond: x.requestsPerSecond,
      latencyMs: x.latencyMs,
      non2xx: x.non2xx,
      errors: x.errors,
      machineBeforeWarmup: x.machineBeforeWarmup,
      cpuCoresBusy: x.cpuCoresBusy,
    })),
  };
}

async function getJson(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

/** In-process cost of the authentication step alone (no HTTP): authenticateBearer on a projection holding the bench's user and PAT. */
function verifyCost(events, token, account) {
  const projection = new TokenProjection();
  for (const e of events) projection.apply(e);
  const verifier = { isReady: true, verify: (t, o) => verifyToken(projection, t, o) };
  const req = {
    headers: { authorization: `Bearer ${token}`, 'x-account-id': account },
    raw: { rawHeaders: ['authorization', `Bearer ${token}`, 'x-account-id', account] },
    url: REQUEST_PATH,
    params: {},
  };
  const requirements = { scopes: SCOPES, account: { header: 'X-Account-Id' } };
  const check = authenticateBearer(verifier, req, requirements);
  if (!check.ok) throw new Error(`in-process verify failed: ${JSON.stringify(check.failure.body)}`);
  const n = 200_000;
  for (let i = 0; i < 20_000; i++) authenticateBearer(verifier, req, requirements);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) authenticateBearer(verifier, req, requirements);
  const ms = performance.now() - t0;
  return { calls: n, perCallUs: Math.round((ms / n) * 1000 * 100) / 100, callsPerSecond: Math.round(n / (ms / 1000)) };
}

/** Rows oidc-provider-pg has stored (the bench checks its token really went to PostgreSQL). */
async function countOidcRows(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query('SELECT count(*) AS n FROM oidc_models')).rows[0].n);
  } finally {
    await c.end();
  }
}

export async function run() {
  const children = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lk-bench-gateway-'));
  const kafka = createKafka({ clientId: 'bench-gateway', brokers: KAFKA_BROKERS.split(',') });
  const producer = new EventProducer(kafka);
  let oidcDatabase = null;
  try {
    // the trivial upstream and oidc-provider, in memory and on PostgreSQL
    const upstream = startChild('upstream', 'bench/gateway/upstream.mjs', {});
    children.push(upstream);
    const oidc = startChild('oidc-provider', 'bench/gateway/oidc-server.mjs', { CLIENT_SECRET });
    children.push(oidc);
    oidcDatabase = await createScratchDatabase();
    const oidcPg = startChild('oidc-provider-pg', 'bench/gateway/oidc-server.mjs', {
      CLIENT_SECRET,
      OIDC_STORE_URL: oidcDatabase.url,
    });
    children.push(oidcPg);
    const upstreamUrl = `http://127.0.0.1:${(await upstream.first).port}`;

    // (a) and (b): the gateway, one protected and one public route to the same upstream
    const routesFile = path.join(tmp, 'routes.json');
    writeFileSync(
      routesFile,
      JSON.stringify({
        routes: [
          {
            name: 'bench-protected',
            match: { path: '/api/orders/*', methods: ['GET'] },
            upstream: upstreamUrl,
            stripPrefix: '/api',
            scopes: SCOPES,
            account: { header: 'X-Account-Id' },
          },
          {
            name: 'bench-public',
            match: { path: '/open/orders/*', methods: ['GET'] },
            upstream: upstreamUrl,
            stripPrefix: '/open',
            public: true,
          },
        ],
      }),
    );
    const gatewayPort = await freePort();
    const gatewayMetricsPort = await freePort(); // the internal listener: /metrics is not on the public port
    const gateway = startChild(
      'gateway',
      GATEWAY_MAIN,
      {
        HOST: '127.0.0.1',
        PORT: String(gatewayPort),
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(gatewayMetricsPort),
        ROUTES_FILE: routesFile,
        KAFKA_BROKERS,
        MISS_FALLBACK_PER_SECOND: '0',
      },
      GATEWAY_NODE_ARGS,
    );
    children.push(gateway);
    const gatewayBase = `http://127.0.0.1:${gatewayPort}`;
    const startedAt = performance.now();
    await waitUntil(
      'gateway GET /readyz 200',
      async () => (await getJson(`${gatewayBase}/readyz`)).status === 200,
      120_000,
      gateway,
    );
    const readyAfterMs = Math.round(performance.now() - startedAt);

    // one user and one PAT, as identity-service and token-service would publish them
    const factory = new EventFactory();
    const account = randomUUID();
    const userId = randomUUID();
    const userEvents = [
      factory.event('UserRegistered', userId, {
        userId,
        kind: 'human',
        email: `${userId}@bench.example.com`,
        displayName: 'Bench',
        accountIds: [account],
      }),
      factory.event('MembershipChanged', userId, {
        userId,
        accountId: account,
        roles: ['member'],
        permissions: SCOPES,
      }),
    ];
    const pat = factory.pat(userId, { accountIds: [account], scopes: SCOPES });
    await producer.connect();
    await producer.publish(userEvents.map((envelope) => ({ topic: Topics.identity, envelope })));
    await producer.publish([{ topic: Topics.tokens, envelope: pat.issued }]);
    const gatewayHeaders = { authorization: `Bearer ${pat.token}`, 'x-account-id': account };
    await waitUntil(
      'gateway: 200 on the protected route with the PAT',
      async () => {
        const r = await getJson(`${gatewayBase}/api${REQUEST_PATH}`, { headers: gatewayHeaders });
        return r.status === 200 ? true : r;
      },
      60_000,
      gateway,
    );
    const noToken = await getJson(`${gatewayBase}/api${REQUEST_PATH}`, { headers: { 'x-account-id': account } });
    if (noToken.status !== 401) throw new Error(`protected route without a token answered ${noToken.status}`);

    // (c) and (c-pg): an opaque access token from each oidc-provider, and an introspection-per-request proxy in front of each
    const introspecting = async (name, provider) => {
      const { issuer } = await provider.first;
      const basic = (id) => `Basic ${Buffer.from(`${id}:${CLIENT_SECRET}`).toString('base64')}`;
      const tokenRes = await getJson(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic('bench-api'), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=orders%3Aread',
      });
      if (tokenRes.status !== 200 || typeof tokenRes.body.access_token !== 'string')
        throw new Error(`${provider.name} /token answered ${tokenRes.status} ${JSON.stringify(tokenRes.body)}`);
      const token = tokenRes.body.access_token;
      const proxy = startChild(name, 'bench/gateway/introspection-proxy.mjs', {
        UPSTREAM: upstreamUrl,
        INTROSPECTION_URL: `${issuer}/token/introspection`,
        CLIENT_ID: 'bench-gateway',
        CLIENT_SECRET,
        REQUIRED_SCOPE: SCOPES[0],
      });
      children.push(proxy);
      const base = `http://127.0.0.1:${(await proxy.first).port}`;
      const headers = { authorization: `Bearer ${token}`, 'x-account-id': account };
      const probe = await getJson(`${base}${REQUEST_PATH}`, { headers });
      if (probe.status !== 200) throw new Error(`${name} answered ${probe.status} ${JSON.stringify(probe.body)}`);
      const refused = await getJson(`${base}${REQUEST_PATH}`, { headers: { authorization: 'Bearer not-a-token' } });
      if (refused.status !== 401) throw new Error(`${name} let an unknown token through (${refused.status})`);
      const introspected = await getJson(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization: basic('bench-gateway'), 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${token}`,
      });
      return { proxy, base, headers, introspected: introspected.body };
    };
    const viaMemory = await introspecting('introspection-proxy', oidc);
    const viaPg = await introspecting('introspection-proxy-pg', oidcPg);
    const storedTokens = await countOidcRows(oidcDatabase.url);
    if (storedTokens < 1) throw new Error('oidc-provider-pg stored no token in PostgreSQL');

    const pids = {
      gateway: gateway.child.pid,
      upstream: upstream.child.pid,
      introspectionProxy: viaMemory.proxy.child.pid,
      oidcProvider: oidc.child.pid,
      introspectionProxyPg: viaPg.proxy.child.pid,
      oidcProviderPg: oidcPg.child.pid,
    };
    console.error(
      `[bench gateway] ready; ${CONNECTIONS} connections, ${WARMUP} s warm-up, then ${SECONDS} s each in ${ROUNDS} interleaved slices`,
    );
    // the same request headers everywhere (the public route ignores and drops the token)
    // ROUNDS interleaved slices of SECONDS / ROUNDS each: a, b, c, 0, a, b, c, 0, … (the
    // machine's speed drifts by ±20 % between 10 s runs; interleaving spreads that evenly)
    const sides = [
      ['a', '(a) gateway, protected route', `${gatewayBase}/api${REQUEST_PATH}`, gatewayHeaders],
      ['b', '(b) gateway, public route (no auth)', `${gatewayBase}/open${REQUEST_PATH}`, gatewayHeaders],
      [
        'c',
        '(c) introspection per request (oidc-provider, in memory)',
        `${viaMemory.base}${REQUEST_PATH}`,
        viaMemory.headers,
      ],
      [
        'p',
        '(c-pg) introspection per request (oidc-provider, PostgreSQL)',
        `${viaPg.base}${REQUEST_PATH}`,
        viaPg.headers,
      ],
      ...(DIRECT ? [['0', '(0) upstream directly (reference)', `${upstreamUrl}${REQUEST_PATH}`, gatewayHeaders]] : []),
    ];
    // BENCH_ONLY also sets the order (e.g. b,a), to check that a side's place in the round does not matter
    if (ONLY) sides.splice(0, sides.length, ...[...ONLY].map((k) => sides.find(([key]) => key === k)).filter(Boolean));
    const slices = Object.fromEntries(sides.map(([key]) => [key, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [key, label, url, headers] of sides) {
        slices[key].push(
          await measure(`${label} [${round + 1}/${ROUNDS}]`, url, headers, pids, {
            seconds: SECONDS / ROUNDS,
            warmup: round === 0 ? WARMUP : 1,
          }),
        );
      }
    }
    const a = combine(slices.a ?? []);
    const b = combine(slices.b ?? []);
    const c = combine(slices.c ?? []);
    const cPg = combine(slices.p ?? []);
    const direct = combine(slices['0'] ?? []);

    const metricsText = (await (await fetch(`http://127.0.0.1:${gatewayMetricsPort}/metrics`)).text())
      .split('\n')
      .filter((l) => /^latchkey_gateway_(verifications|requests|introspection_calls)_total/.test(l));
    const verify = verifyCost([...userEvents, pat.issued], pat.token, account);

    const r2 = (x) => Math.round(x * 100) / 100;
    const ratios = {
      aOverB: a && b ? r2(a.requestsPerSecond / b.requestsPerSecond) : null,
      aOverC: a && c ? r2(a.requestsPerSecond / c.requestsPerSecond) : null,
      aOverCPg: a && cPg ? r2(a.requestsPerSecond / cPg.requestsPerSecond) : null,
      p99AOverB: a && b ? r2(a.latencyMs.p99 / b.latencyMs.p99) : null,
    };
    const clean = [a, b, c, cPg].every((x) => x === null || (x.non2xx === 0 && x.errors === 0 && x.timeouts === 0));
    return report('gateway', {
      seconds: SECONDS,
      rounds: ROUNDS,
      warmupSeconds: WARMUP,
      connections: CONNECTIONS,
      pipelining: 1,
      gateway: GATEWAY_MAIN,
      ...(ONLY ? { only: [...ONLY] } : {}),
      ...(GATEWAY_NODE_ARGS.length ? { gatewayNodeArgs: GATEWAY_NODE_ARGS } : {}),
      gatewayReadyAfterMs: readyAfterMs,
      oidcProvider: {
        version: require('oidc-provider/package.json').version,
        introspectionSample: viaMemory.introspected,
        introspectionSamplePg: viaPg.introspected,
        pgStoredRows: storedTokens,
      },
      a,
      b,
      c,
      cPg,
      direct,
      gatewayMetrics: metricsText,
      verifyInProcess: verify,
      ratios,
      goals: {
        aOverB: { goal: 0.8, met: ratios.aOverB >= 0.8 },
        aOverC: { goal: 5, met: ratios.aOverC >= 5 },
        aOverCPg: { goal: 5, met: ratios.aOverCPg >= 5 },
        p99AOverB: { goal: 1.5, met: ratios.p99AOverB <= 1.5 },
        noErrors: clean,
        met:
          !ONLY &&
          clean &&
          ratios.aOverB >= 0.8 &&
          ratios.aOverC >= 5 &&
          ratios.aOverCPg >= 5 &&
          ratios.p99AOverB <= 1.5,
      },
    });
  } finally {
    await producer.disconnect().catch(() => {});
    for (const c of children.reverse()) {
      const r = await c.stop().catch((err) => ({ code: err.message }));
      if (r.code !== 0 && r.signal !== 'SIGTERM')
        console.error(`${c.name} exited ${r.code ?? r.signal}; its last lines:\n${c.tail.slice(-20).join('\n')}`);
    }
    await oidcDatabase?.drop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}

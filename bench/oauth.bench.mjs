// OAuth token endpoint benchmark: authorization code exchanges/s and refreshes/s of token-service
// (`apps/token-service/dist/main.js`, a child process on a fresh database, the real Kafka: every
// exchange and refresh appends its events and outbox rows in one transaction, and the relay
// publishes them) side by side, in one run, with oidc-provider (npm; bench/gateway/oidc-server.mjs)
// configured the same way, (memory) with its in-memory adapter and (pg) with its tokens in
// PostgreSQL (bench/gateway/oidc-pg-adapter.mjs, a scratch database).
//
// The same on every side: one confidential client authenticating with client_secret_basic, PKCE
// S256 required, refresh tokens rotated on every use (a rotated one presented again revokes the
// grant), opaque access tokens, access tokens 1 h, refresh tokens 14 days, codes 60 s, no ID token
// (scope orders:read, no openid), a refresh token with every code exchange; CONNECTIONS client
// connections (undici, one keep-alive connection each, one request at a time).
//
// Only the token endpoint is timed. Codes are minted before each timed slice, outside the timing,
// through each server's own authorization endpoint, the way a browser gets them: every connection
// has its own user, signed in and consenting once at the start (ours: the real login and consent
// pages, the login check answered by a stub of identity-service's internal endpoint; oidc-provider:
// its own interaction, finished by the bench's sign-in in oidc-server.mjs, its consent saved as a
// Grant); after that, a GET of the authorization endpoint with that browser's session cookie gets
// a code at once (ours: /oauth/authorize → 303 /oauth/interaction/{id} → 303 with the code, the
// consent remembered; oidc-provider: /auth → 303 with the code). Why this is fair: the codes carry
// exactly what a real code carries on each side (grant, PKCE challenge, redirect URI, scope, each
// server's own storage of it), and neither side's exchange is helped or hindered by how the code
// was made. Codes live 60 s, so each slice mints its own (sized from the side's last rate).
// Refresh: every connection holds its own chain (its own user and grant, from one code exchange
// at the start) and rotates it on every call, across all the slices of the run.
//
// Every answer is checked: 200, JSON, an opaque access_token, token_type Bearer, expires_in
// 3600, a new refresh_token, scope orders:read; anything else is counted as a failure by reason
// (never as a request served). After the slices the bench checks on each side that the last
// access token introspects active, that a rotated refresh token is refused and that this reuse
// revoked the chain's grant; and for token-service that the outbox drained and that the database
// holds at least two issued tokens per counted success.
//
// Sides run in interleaved slices (code: ours, memory, pg; then refresh: the same), the side that
// starts rotating each round, each slice after waiting for a quiet machine, as
// bench/gateway.bench.mjs does, so the ratios hold on a noisy machine.
// Goal: code exchanges/s of token-service ≥ 1 × oidc-provider in memory.
// Run: npm run bench -- oauth   (or: node bench/oauth.bench.mjs after a build)
// Env: BENCH_SECONDS (measured seconds per side and grant, default 12), BENCH_ROUNDS (slices per
// side and grant, default 3), BENCH_WARMUP_SECONDS (before each side's first slice of a grant,
// default 3; 1 before the others), BENCH_CONNECTIONS (default 16), BENCH_QUIET_WAIT_SECONDS
// (longest wait for a quiet machine before each slice, default 30), BENCH_PG_URL (the PostgreSQL
// server), BENCH_LOG_LEVEL (token-service's LOG_LEVEL, default its own),
// experiments only: BENCH_ONLY (sides, e.g. ours or ours,memory), BENCH_GRANTS (code, refresh or
// both, default both), BENCH_SERVICE_MAIN (another build of token-service),
// BENCH_SERVICE_NODE_ARGS (node flags for token-service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"),
// BENCH_OIDC_NODE_ARGS (the same for both oidc-provider processes).
import { Buffer } from 'node:buffer';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { URL, URLSearchParams } from 'node:url';
import { cpuShares, cpuSnapshot, freePort, startChild, waitQuiet, waitUntil } from './lib/processes.mjs';
import { humanUserMessages } from './lib/directory-events.mjs';
import { createScratchDatabase } from './lib/postgres.mjs';
import { report, summarize } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');
const undici = require('undici');
const { Topics } = require('@latchkey/contracts');
const { EventProducer, createKafka } = require('@latchkey/messaging');
const { EventFactory } = require('@latchkey/token-verifier/testing');
const { hashSecret } = require('@latchkey/token-format');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const QUIET_WAIT = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 30);
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
const GRANTS = (process.env.BENCH_GRANTS ?? 'code,refresh').split(',');
const SERVICE_MAIN = process.env.BENCH_SERVICE_MAIN ?? 'apps/token-service/dist/main.js';
const args = (v) => (v ? v.split(' ').filter(Boolean) : []);
const SERVICE_NODE_ARGS = args(process.env.BENCH_SERVICE_NODE_ARGS);
const OIDC_NODE_ARGS = args(process.env.BENCH_OIDC_NODE_ARGS);
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

const REDIRECT_URI = 'https://bench.example.com/callback';
const SCOPE = 'orders:read';
const ACCESS_TTL = 3600;
const REFRESH_TTL = 14 * 24 * 3600;
const CLIENT_SECRET = `lk_cs_${randomBytes(32).toString('base64url')}`;
const PASSWORD = 'bench password, long enough';
const REQUEST_TIMEOUT_MS = 10_000;

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const fetch = globalThis.fetch; // Node's built-in (undici)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r2 = (x) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------
// a browser (cookie jar, no redirects followed) and the PKCE pair of each code

class Browser {
  constructor(pool, origin) {
    this.pool = pool;
    this.origin = origin;
    this.jar = new Map();
  }
  async get(url) {
    return this.send('GET', url);
  }
  async post(url, form) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) body.append(k, v);
    return this.send('POST', url, body.toString());
  }
  async send(method, url, body) {
    const u = new URL(url, this.origin);
    if (u.origin !== this.origin) throw new Error(`the browser was sent elsewhere: ${url}`);
    const res = await this.pool.request({
      method,
      path: u.pathname + u.search,
      headers: {
        ...(this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      body,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    for (const c of [res.headers['set-cookie'] ?? []].flat()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const text = await res.body.text();
    return { status: res.statusCode, location: res.headers.location, text };
  }
}

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The code of a redirect to the client, checked (redirect URI, state, iss). */
function codeOf(res, issuer, what) {
  const fail = () =>
    new Error(
      `${what}: expected a 303 to the client with a code, got ${res.status} ${res.location ?? res.text.slice(0, 300)}`,
    );
  if (res.status !== 303 || !res.location?.startsWith(`${REDIRECT_URI}?`)) throw fail();
  const q = new URL(res.location).searchParams;
  if (!q.get('code') || q.get('state') !== 'bench' || q.get('iss') !== issuer) throw fail();
  return q.get('code');
}

const formField = (page, name) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1];
const formAction = (page) => /<form method="post" action="([^"]+)"/.exec(page)?.[1];

// ---------------------------------------------------------------------------------------------
// the sides: how each gets a session, mints a code, and names its endpoints

/** The same authorization request on both sides (PKCE S256, one scope, the bench's redirect URI). */
function authorizeQuery(clientId, challenge) {
  return new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: SCOPE,
    state: 'bench',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
}

/** token-service: the real authorization endpoint, login and consent pages. */
function ourSide({ origin, clientId, account }) {
  const query = (challenge) => authorizeQuery(clientId, challenge);
  return {
    key: 'ours',
    label: 'token-service (events + outbox on PostgreSQL, Kafka)',
    origin,
    issuer: origin,
    clientId,
    tokenPath: '/oauth/token',
    introspectPath: '/oauth/introspect',
    /** Signs the user in on the login page and allows on the consent page; returns the first code. */
    async signIn(browser, user) {
      const pair = pkcePair();
      const start = await browser.get(`/oauth/authorize?${query(pair.challenge)}`);
      if (start.status !== 303) throw new Error(`authorize answered ${start.status}: ${start.text.slice(0, 300)}`);
      const interaction = start.location;
      const login = await browser.get(interaction);
      if (login.status !== 200 || !formAction(login.text))
        throw new Error(`the login page answered ${login.status}: ${login.text.slice(0, 300)}`);
      const posted = await browser.post(formAction(login.text), {
        csrf: formField(login.text, 'csrf'),
        email: user.email,
        password: PASSWORD,
      });
      if (posted.status !== 303 || posted.location !== interaction)
        throw new Error(`the login answered ${posted.status} ${posted.location}`);
      const consent = await browser.get(interaction);
      if (consent.status !== 200 || !formAction(consent.text))
        throw new Error(`the consent page answered ${consent.status}: ${consent.text.slice(0, 300)}`);
      const done = await browser.post(formAction(consent.text), {
        csrf: formField(consent.text, 'csrf'),
        decision: 'allow',
        account,
      });
      return { code: codeOf(done, origin, 'consent'), verifier: pair.verifier };
    },
    /** With the session and the remembered consent: authorize → interaction → the client, with a code. */
    async mint(browser) {
      const pair = pkcePair();
      const start = await browser.get(`/oauth/authorize?${query(pair.challenge)}`);
      if (start.status !== 303 || !start.location?.startsWith('/oauth/interaction/'))
        throw new Error(`authorize answered ${start.status} ${start.location}: ${start.text.slice(0, 300)}`);
      return { code: codeOf(await browser.get(start.location), origin, 'mint'), verifier: pair.verifier };
    },
  };
}

/** oidc-provider: its authorization endpoint and its own interaction (finished by oidc-server.mjs). */
function oidcSide({ key, label, issuer }) {
  const query = (challenge) => authorizeQuery('bench-web', challenge);
  return {
    key,
    label,
    origin: issuer,
    issuer,
    clientId: 'bench-web',
    tokenPath: '/token',
    introspectPath: '/token/introspection',
    async signIn(browser, user) {
      const pair = pkcePair();
      let res = await browser.get(`/auth?${query(pair.challenge)}`);
      // login, then consent: each an interaction the bench's sign-in finishes, then a resume
      for (let step = 0; step < 6 && res.status === 303 && !res.location.startsWith(REDIRECT_URI); step++)
        res = res.location.includes('/interaction/')
          ? await browser.post(res.location, { account: user.accountId })
          : await browser.get(res.location);
      return { code: codeOf(res, issuer, 'sign-in'), verifier: pair.verifier };
    },
    async mint(browser) {
      const pair = pkcePair();
      return {
        code: codeOf(await browser.get(`/auth?${query(pair.challenge)}`), issuer, 'mint'),
        verifier: pair.verifier,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the token endpoint: requests and the check of every answer

const basic = (side) => `Basic ${Buffer.from(`${side.clientId}:${CLIENT_SECRET}`).toString('base64')}`;

function codeBody({ code, verifier }) {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  }).toString();
}
const refreshBody = (token) => new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString();

/** The tokens of a good answer, or why it is not one (a failure reason). */
function checkTokens(status, text, presentedRefresh) {
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  if (status !== 200) return { failure: `${status} ${body?.error ?? text.slice(0, 60)}` };
  if (body === null) return { failure: '200 not JSON' };
  if (typeof body.access_token !== 'string' || body.access_token.length < 32 || body.access_token.includes('.'))
    return { failure: '200 without an opaque access_token' };
  if (String(body.token_type).toLowerCase() !== 'bearer') return { failure: `200 token_type ${body.token_type}` };
  if (!(body.expires_in > ACCESS_TTL - 10 && body.expires_in <= ACCESS_TTL))
    return { failure: `200 expires_in ${body.expires_in}` };
  if (typeof body.refresh_token !== 'string' || body.refresh_token === presentedRefresh)
    return { failure: '200 without a new refresh_token' };
  if (body.scope !== SCOPE) return { failure: `200 scope ${body.scope}` };
  return { tokens: body };
}

async function tokenRequest(client, side, body) {
  const res = await client.request({
    method: 'POST',
    path: side.tokenPath,
    headers: { authorization: basic(side), 'content-type': 'application/x-www-form-urlencoded' },
    body,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/**
 * CONNECTIONS connections for `seconds`, each asking `next(i)` for its next request body and
 * passing each answer to `done(i, result)` (a check result). A connection with nothing left
 * (`next` → null: out of codes) ends the slice for all at that moment (the slice is then shorter,
 * and says so); a connection whose refresh chain broke (`next` → undefined) stops alone. Counted:
 * good answers that start and end in the slice; a failure counts whenever it ends.
 */
async function drive(side, clients, seconds, next, done) {
  const latencies = [];
  const failures = {};
  let ok = 0;
  let late = 0;
  let ranDryAt = null;
  const startUs = monotonicUs();
  const start = performance.now();
  let stopAt = start + seconds * 1000;
  await Promise.all(
    clients.map(async (client, i) => {
      while (performance.now() < stopAt) {
        const body = next(i);
        if (body === undefined) break;
        if (body === null) {
          ranDryAt ??= performance.now();
          stopAt = Math.min(stopAt, ranDryAt);
          break;
        }
        const t0 = performance.now();
        let result;
        try {
          const res = await tokenRequest(client, side, body);
          result = done(i, res);
        } catch (err) {
          result = { failure: `network ${err.code ?? err.name}` };
          done(i, null);
        }
        const t1 = performance.now();
        if (result.failure) failures[result.failure] = (failures[result.failure] ?? 0) + 1;
        else if (t1 <= stopAt) {
          ok++;
          latencies.push(t1 - t0);
        } else late++;
      }
    }),
  );
  return {
    ok,
    late,
    failures,
    latencies,
    durationSeconds: (stopAt - start) / 1000,
    endedEarly: ranDryAt !== null,
    // the same clock as a V8 CPU profile's timestamps (a profile can be cut to the measured slices)
    monotonicWindowUs: [startUs, monotonicUs()],
  };
}

// ---------------------------------------------------------------------------------------------
// token-service's world: a fresh database, the service, a client and users published as the
// registry and identity-service would, identity-service's login check as a stub

async function waitForRows(url, sql, params, what) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await waitUntil(what, async () => (await c.query(sql, params)).rows[0].ok === true, 120_000);
  } finally {
    await c.end();
  }
}

function runNode(script, env) {
  const child = startChild(script, script, env);
  return child.exited.then(({ code }) => {
    if (code !== 0) throw new Error(`${script} exited ${code}:\n${child.tail.join('\n')}`);
  });
}

/** identity-service's `POST /internal/login-check` for the bench's users (any other e-mail: invalid_credentials). */
function startLoginCheck(usersByEmail) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { email, password } = JSON.parse(body);
      const user = usersByEmail.get(email);
      const answer =
        user && password === PASSWORD
          ? { ok: true, userId: user.userId, kind: 'human' }
          : { ok: false, reason: 'invalid_credentials' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}/internal/login-check` }),
    ),
  );
}

async function ourFacts(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const started = performance.now();
    let outbox = Number((await c.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
    const outboxAtEnd = outbox;
    while (outbox > 0 && performance.now() - started < 30_000) {
      await sleep(50);
      outbox = Number((await c.query('SELECT count(*) AS n FROM outbox')).rows[0].n);
    }
    const row = (
      await c.query(`SELECT (SELECT count(*) FROM events)::int AS events,
                            (SELECT count(*) FROM token_hashes)::int AS tokens,
                            (SELECT count(*) FROM authorization_codes WHERE consumed_at IS NOT NULL)::int AS codes_redeemed,
                            (SELECT max(n) FROM (SELECT count(*) AS n FROM events GROUP BY stream_id) s)::int AS longest_stream`)
    ).rows[0];
    const drainedInMs = Math.round(performance.now() - started);
    await sleep(1000); // PostgreSQL's table statistics are flushed about once a second
    const read = (
      await c.query(
        `SELECT (coalesce(idx_tup_fetch, 0) + seq_tup_read)::bigint AS n FROM pg_stat_user_tables WHERE relname = 'events'`,
      )
    ).rows[0];
    return {
      outboxAtEnd,
      outboxAfterDrain: outbox,
      drainedInMs,
      eventsStored: row.events,
      tokensStored: row.tokens,
      codesRedeemed: row.codes_redeemed,
      longestGrantStreamEvents: row.longest_stream,
      eventRowsRead: Number(read?.n ?? 0),
    };
  } finally {
    await c.end();
  }
}

/** Events per grant stream of these users (mean, max): what every exchange and refresh on them loads. */
async function grantStreams(client, userIds) {
  const { rows } = await client.query(
    `SELECT round(avg(n))::int AS mean, max(n)::int AS max FROM (
       SELECT count(*) AS n FROM events e JOIN oauth_grants g ON g.grant_id = e.stream_id
        WHERE g.user_id = ANY($1) GROUP BY e.stream_id) s`,
    [userIds],
  );
  return rows[0];
}

async function oidcRows(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query('SELECT model, count(*)::int AS n FROM oidc_models GROUP BY model ORDER BY model');
    return Object.fromEntries(rows.map((r) => [r.model, r.n]));
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------

/** User and system CPU seconds of a process (/proc/<pid>/stat utime, stime). */
function userSystem(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 };
}

/** CPU per request (µs) of the named processes over a slice. */
function perRequestUs(cpu, seconds, requests, names) {
  const out = {};
  for (const n of names) out[n] = Math.round(((cpu[n] ?? 0) * seconds * 1e6) / Math.max(1, requests));
  return out;
}

/** One side and grant over its slices: rates from all its requests and time, latency from all its answers. */
function combine(slices) {
  if (slices.length === 0) return null;
  const ok = slices.reduce((t, s) => t + s.ok, 0);
  const seconds = slices.reduce((t, s) => t + s.durationSeconds, 0);
  const failures = {};
  for (const s of slices) for (const [k, v] of Object.entries(s.failures)) failures[k] = (failures[k] ?? 0) + v;
  const cores = {};
  for (const k of Object.keys(slices[0].cpuCoresBusy))
    cores[k] = r2(slices.reduce((t, s) => t + s.cpuCoresBusy[k] * s.durationSeconds, 0) / seconds);
  return {
    label: slices[0].label,
    requestsPerSecond: Math.round(ok / seconds),
    requests: ok,
    durationSeconds: r2(seconds),
    latencyMs: summarize(slices.flatMap((s) => s.latencies)),
    failures: Object.values(failures).reduce((a, b) => a + b, 0),
    failuresByReason: failures,
    slicesEndedEarly: slices.filter((s) => s.endedEarly).length,
    cpuCoresBusy: cores,
    slices: slices.map((s) => ({
      requestsPerSecond: s.requestsPerSecond,
      p50: s.latencyMs.p50,
      p99: s.latencyMs.p99,
      seconds: r2(s.durationSeconds),
      endedEarly: s.endedEarly,
      failures: s.failures,
      codesMinted: s.codesMinted,
      mintSeconds: s.mintSeconds,
      machineBefore: s.machineBefore,
      cpuCoresBusy: s.cpuCoresBusy,
      cpuPerRequestUs: s.cpuPerRequestUs,
      serverUserSystemCores: s.serverUserSystemCores,
      ...(s.grantStreamEvents ? { grantStreamEvents: s.grantStreamEvents } : {}),
      monotonicWindowUs: s.monotonicWindowUs,
    })),
  };
}

export async function run() {
  const children = [];
  const pools = [];
  const kafka = createKafka({ clientId: 'bench-oauth', brokers: KAFKA_BROKERS.split(',') });
  const producer = new EventProducer(kafka);
  let database = null;
  let oidcDatabase = null;
  let loginCheck = null;
  let facts = null; // a connection to token-service's database, for facts between the slices
  try {
    const wanted = ONLY ?? ['ours', 'memory', 'pg'];
    // --- oidc-provider, in memory and on PostgreSQL
    const oidcEnv = { CLIENT_SECRET, OAUTH_REDIRECT_URI: REDIRECT_URI };
    const oidc = startChild('oidc-provider', 'bench/gateway/oidc-server.mjs', oidcEnv, OIDC_NODE_ARGS);
    children.push(oidc);
    oidcDatabase = await createScratchDatabase();
    const oidcPg = startChild(
      'oidc-provider-pg',
      'bench/gateway/oidc-server.mjs',
      { ...oidcEnv, OIDC_STORE_URL: oidcDatabase.url },
      OIDC_NODE_ARGS,
    );
    children.push(oidcPg);

    // --- token-service on a fresh database
    const users = Array.from({ length: 2 * CONNECTIONS }, (_, i) => {
      const userId = randomUUID();
      return { userId, accountId: `bench-${i}`, email: `${userId}@bench.example.com` };
    });
    loginCheck = await startLoginCheck(new Map(users.map((u) => [u.email, u])));
    database = await createScratchDatabase();
    await runNode('apps/token-service/dist/migrate.js', { DATABASE_URL: database.url });
    const [port, internalPort] = [await freePort(), await freePort()];
    const origin = `http://127.0.0.1:${port}`;
    const service = startChild(
      'token-service',
      SERVICE_MAIN,
      {
        HOST: '127.0.0.1',
        PORT: String(port),
        INTERNAL_HOST: '127.0.0.1',
        INTERNAL_PORT: String(internalPort),
        DATABASE_URL: database.url,
        KAFKA_BROKERS,
        OAUTH_ISSUER: origin,
        SESSION_COOKIE_SECURE: 'false',
        LOGIN_CHECK_URL: loginCheck.url,
        ...(process.env.BENCH_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_LOG_LEVEL } : {}),
      },
      SERVICE_NODE_ARGS,
      { stopTimeoutMs: 20_000 },
    );
    children.push(service);
    const startedAt = performance.now();
    await waitUntil(
      'token-service GET /readyz 200',
      async () => (await fetch(`${origin}/readyz`)).status === 200,
      180_000,
      service,
    );
    const serviceReadyAfterMs = Math.round(performance.now() - startedAt);

    // the application and the users, as the registry and identity-service would publish them
    const factory = new EventFactory();
    const account = randomUUID();
    const clientId = randomUUID();
    await producer.connect();
    await producer.publish([
      {
        topic: Topics.applications,
        envelope: factory.event('ApplicationRegistered', clientId, {
          clientId,
          ownerAccountId: account,
          name: 'Bench',
          clientType: 'confidential',
          redirectUris: [REDIRECT_URI],
          grantTypes: ['authorization_code', 'refresh_token'],
          allowedScopes: [SCOPE],
          accountIds: [account],
          accessTokenTtlSeconds: ACCESS_TTL,
          refreshTokenTtlSeconds: REFRESH_TTL,
          firstParty: false,
          secretHash: hashSecret(CLIENT_SECRET),
        }),
      },
      ...humanUserMessages(factory, Topics.identity, users, account, [SCOPE]),
    ]);
    await waitForRows(
      database.url,
      `SELECT (SELECT count(*) FROM directory_applications WHERE client_id = $1 AND name IS NOT NULL) = 1
          AND (SELECT count(*) FROM user_permissions WHERE user_id = ANY($2) AND account_id = $3) = $4 AS ok`,
      [clientId, users.map((u) => u.userId), account, users.length],
      'token-service has the application and the users',
    );
    facts = new pg.Client({ connectionString: database.url });
    await facts.connect();

    // --- the sides, each with its connections, its browsers and its refresh chains
    const sides = [
      ourSide({ origin, clientId, account }),
      oidcSide({ key: 'memory', label: 'oidc-provider, in-memory adapter', issuer: (await oidc.first).issuer }),
      oidcSide({ key: 'pg', label: 'oidc-provider, PostgreSQL adapter', issuer: (await oidcPg.first).issuer }),
    ].filter((s) => wanted.includes(s.key));
    const pids = { tokenService: service.child.pid, oidcMemory: oidc.child.pid, oidcPg: oidcPg.child.pid };
    const serverOf = { ours: 'tokenService', memory: 'oidcMemory', pg: 'oidcPg' };
    for (const side of sides) {
      side.clients = Array.from({ length: CONNECTIONS }, () => new undici.Client(side.origin, { pipelining: 1 }));
      const mintPool = new undici.Pool(side.origin, { connections: CONNECTIONS });
      pools.push(mintPool, ...side.clients);
      // users 0..n-1 exchange codes, users n..2n-1 hold the refresh chains
      side.browsers = users.map((u) => ({ user: u, browser: new Browser(mintPool, side.origin) }));
      const first = await Promise.all(side.browsers.map(({ browser, user }) => side.signIn(browser, user)));
      // the code users' first codes are exchanged too (a check); the chain users' give the chains
      const answers = await Promise.all(
        first.map((c, i) => tokenRequest(side.clients[i % CONNECTIONS], side, codeBody(c))),
      );
      const tokens = answers.map((a, i) => {
        const r = checkTokens(a.status, a.text);
        if (r.failure) throw new Error(`${side.key}: the first code exchange of user ${i} failed: ${r.failure}`);
        return r.tokens;
      });
      side.chains = tokens.slice(CONNECTIONS).map((t, i) => ({
        browser: side.browsers[CONNECTIONS + i].browser,
        token: t.refresh_token,
        previous: null,
        lastAccess: t.access_token,
        broken: false,
      }));
      side.rate = { code: null, refresh: null };
      side.succeeded = answers.length;
      side.slices = { code: [], refresh: [] };
    }
    console.error(
      `[bench oauth] ready (token-service up in ${serviceReadyAfterMs} ms); ${CONNECTIONS} connections, ${SECONDS} s per side and grant in ${ROUNDS} interleaved slices, ${WARMUP} s warm-up before the first`,
    );

    /** Codes for each code user, minted through the side's authorization endpoint. */
    async function mintCodes(side, perConnection) {
      const t0 = performance.now();
      const codes = await Promise.all(
        side.browsers.slice(0, CONNECTIONS).map(async ({ browser }) => {
          const list = [];
          for (let k = 0; k < perConnection; k++) list.push(await side.mint(browser));
          return list;
        }),
      );
      return { codes, seconds: r2((performance.now() - t0) / 1000) };
    }

    /** Re-seeds a chain that broke (a failed refresh leaves no usable refresh token): a new code, exchanged. */
    async function repairChains(side) {
      for (const [i, chain] of side.chains.entries()) {
        if (!chain.broken) continue;
        const c = await side.mint(chain.browser);
        const a = await tokenRequest(side.clients[i], side, codeBody(c));
        const r = checkTokens(a.status, a.text);
        if (r.failure) throw new Error(`${side.key}: could not re-seed refresh chain ${i}: ${r.failure}`);
        Object.assign(chain, { token: r.tokens.refresh_token, previous: null, broken: false });
      }
    }

    function codeLoad(side, codes) {
      return {
        next: (i) => {
          const c = codes[i].pop();
          return c === undefined ? null : codeBody(c);
        },
        done: (i, res) => (res === null ? { failure: 'network' } : checkTokens(res.status, res.text)),
      };
    }
    function refreshLoad(side) {
      return {
        next: (i) => (side.chains[i].broken ? undefined : refreshBody(side.chains[i].token)),
        done: (i, res) => {
          const chain = side.chains[i];
          const r = res === null ? { failure: 'network' } : checkTokens(res.status, res.text, chain.token);
          if (r.failure) chain.broken = true;
          else {
            chain.previous = chain.token;
            chain.token = r.tokens.refresh_token;
            chain.lastAccess = r.tokens.access_token;
          }
          return r;
        },
      };
    }

    async function slice(side, grant, round) {
      const seconds = SECONDS / ROUNDS;
      const warmup = round === 0 ? WARMUP : 1;
      const machineBefore = await waitQuiet(QUIET_WAIT);
      let codesMinted = 0;
      let mintSeconds = 0;
      const load = async (s) => {
        if (grant === 'refresh') {
          await repairChains(side);
          return refreshLoad(side);
        }
        // enough codes for the side's last rate and half as many again; 60 a connection at first
        const per = side.rate.code === null ? 60 : Math.ceil((side.rate.code * s * 1.5) / CONNECTIONS) + 10;
        const minted = await mintCodes(side, per);
        codesMinted += per * CONNECTIONS;
        mintSeconds += minted.seconds;
        return codeLoad(side, minted.codes);
      };
      const w = await load(warmup);
      const warm = await drive(side, side.clients, warmup, w.next, w.done);
      side.succeeded += warm.ok + warm.late;
      if (warm.ok > 0) side.rate[grant] = Math.max(side.rate[grant] ?? 0, warm.ok / warm.durationSeconds);
      const l = await load(seconds);
      // token-service loads a grant's whole event stream for every exchange and refresh: how long they are now
      const streams =
        side.key === 'ours'
          ? await grantStreams(
              facts,
              (grant === 'code' ? users.slice(0, CONNECTIONS) : users.slice(CONNECTIONS)).map((u) => u.userId),
            )
          : undefined;
      const serverPid = pids[serverOf[side.key]];
      const us0 = userSystem(serverPid);
      const before = cpuSnapshot(pids);
      const m = await drive(side, side.clients, seconds, l.next, l.done);
      const after = cpuSnapshot(pids);
      const us1 = userSystem(serverPid);
      side.succeeded += m.ok + m.late;
      const cpu = cpuShares(before, after, 'bench');
      const rate = m.ok / m.durationSeconds;
      side.rate[grant] = Math.max(side.rate[grant] ?? 0, rate);
      const wall = (after.at - before.at) / 1000;
      const out = {
        label: `${side.label}, ${grant === 'code' ? 'code exchange' : 'refresh'}`,
        ...m,
        requestsPerSecond: Math.round(rate),
        latencyMs: summarize(m.latencies),
        warmupFailures: warm.failures,
        codesMinted,
        mintSeconds: r2(mintSeconds),
        machineBefore,
        ...(streams ? { grantStreamEvents: streams } : {}),
        cpuCoresBusy: cpu,
        cpuPerRequestUs: perRequestUs(cpu, wall, m.ok, [serverOf[side.key], 'postgres', 'kafka', 'bench']),
        // the server's own CPU split: in its code (user) and in the kernel for it (system: syscalls, loopback TCP)
        serverUserSystemCores: { user: r2((us1.user - us0.user) / wall), system: r2((us1.system - us0.system) / wall) },
      };
      const failed = Object.values(m.failures).reduce((a, b) => a + b, 0);
      console.error(
        `[bench oauth] ${out.label} [${round + 1}/${ROUNDS}] (machine before: ${JSON.stringify(machineBefore)}): ${out.requestsPerSecond}/s, p50 ${out.latencyMs.p50} ms, p99 ${out.latencyMs.p99} ms, failures ${failed}${failed ? ` ${JSON.stringify(m.failures)}` : ''}${m.endedEarly ? `, ended early (out of codes after ${r2(m.durationSeconds)} s)` : ''}; cores ${JSON.stringify(cpu)}`,
      );
      side.slices[grant].push(out);
    }

    for (let round = 0; round < ROUNDS; round++)
      for (const grant of GRANTS)
        for (let k = 0; k < sides.length; k++) await slice(sides[(k + round) % sides.length], grant, round);

    // --- after the slices: the tokens are real, rotation and reuse detection hold on every side
    const checks = {};
    for (const side of sides) {
      const chain = side.chains[0];
      const introspected = await (
        await fetch(`${side.origin}${side.introspectPath}`, {
          method: 'POST',
          headers: { authorization: basic(side), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: chain.lastAccess }).toString(),
        })
      ).json();
      // one more rotation, then the token it rotated out presented again, then the new one
      const rotated = chain.broken ? null : await tokenRequest(side.clients[0], side, refreshBody(chain.token));
      const next = rotated && checkTokens(rotated.status, rotated.text, chain.token).tokens;
      const replayed = await tokenRequest(side.clients[0], side, refreshBody(chain.token));
      const afterReuse = next
        ? await tokenRequest(side.clients[0], side, refreshBody(next.refresh_token))
        : { status: null, text: '{}' };
      checks[side.key] = {
        lastAccessTokenActive: introspected.active === true && introspected.scope === SCOPE,
        refreshRotated: Boolean(next),
        rotatedRefreshTokenRefused: replayed.status === 400 && JSON.parse(replayed.text).error === 'invalid_grant',
        reuseRevokedTheGrant: afterReuse.status === 400 && JSON.parse(afterReuse.text).error === 'invalid_grant',
      };
    }
    const results = {};
    for (const side of sides)
      results[side.key] = { code: combine(side.slices.code), refresh: combine(side.slices.refresh) };
    // good answers in the measured slices (also those that ended after their slice)
    const served = (key) => {
      const side = sides.find((s) => s.key === key);
      return [...side.slices.code, ...side.slices.refresh].reduce((t, s) => t + s.ok + s.late, 0);
    };
    const ours = wanted.includes('ours') ? await ourFacts(database.url) : null;
    if (ours) {
      ours.tokensPerCountedSuccess = r2(ours.tokensStored / Math.max(1, served('ours')));
      checks.ours.outboxDrained = ours.outboxAfterDrain === 0;
      checks.ours.twoTokensStoredPerSuccess = ours.tokensStored >= 2 * served('ours');
      // every good answer of the run (set-up, warm-ups, slices, checks: about; the checks add 1–2)
      ours.eventRowsReadPerTokenAnswer = Math.round(
        ours.eventRowsRead / Math.max(1, sides.find((s) => s.key === 'ours').succeeded + 1),
      );
    }
    const pgRows = wanted.includes('pg') ? await oidcRows(oidcDatabase.url) : null;

    const ratio = (grant, peer) =>
      results.ours?.[grant] && results[peer]?.[grant]
        ? r2(results.ours[grant].requestsPerSecond / results[peer][grant].requestsPerSecond)
        : null;
    const ratios = {
      code: { oursOverMemory: ratio('code', 'memory'), oursOverPg: ratio('code', 'pg') },
      refresh: { oursOverMemory: ratio('refresh', 'memory'), oursOverPg: ratio('refresh', 'pg') },
    };
    const noFailures = Object.values(results).every((r) => [r.code, r.refresh].every((x) => !x || x.failures === 0));
    const checksPassed = Object.values(checks).every((c) => Object.values(c).every(Boolean));
    const summary = report('oauth', {
      seconds: SECONDS,
      rounds: ROUNDS,
      sliceSeconds: r2(SECONDS / ROUNDS),
      warmupSeconds: WARMUP,
      connections: CONNECTIONS,
      grants: GRANTS,
      ...(ONLY ? { only: ONLY } : {}),
      service: SERVICE_MAIN,
      ...(SERVICE_NODE_ARGS.length ? { serviceNodeArgs: SERVICE_NODE_ARGS } : {}),
      serviceReadyAfterMs,
      oidcProvider: require('oidc-provider/package.json').version,
      results,
      ratios,
      checks,
      tokenServiceDatabase: ours,
      oidcPgRows: pgRows,
      goal: {
        codeOursOverMemory: { goal: 1, value: ratios.code.oursOverMemory, met: ratios.code.oursOverMemory >= 1 },
        noFailures,
        checksPassed,
        met: !ONLY && ratios.code.oursOverMemory >= 1 && noFailures && checksPassed,
      },
    });
    const line = (k, g) => {
      const x = results[k]?.[g];
      return x
        ? `  ${g.padEnd(8)} ${k.padEnd(7)} ${String(x.requestsPerSecond).padStart(6)}/s  p50 ${x.latencyMs.p50} ms  p99 ${x.latencyMs.p99} ms  failures ${x.failures}  slices ${x.slices.map((s) => s.requestsPerSecond).join(' / ')}`
        : null;
    };
    console.error(
      [
        `[bench oauth] Node ${process.version}, ${summary.cpuModel} × ${summary.cpus}, ${CONNECTIONS} connections, ${SECONDS} s per side and grant (${ROUNDS} slices)`,
        ...GRANTS.flatMap((g) => sides.map((s) => line(s.key, g))).filter(Boolean),
        `  ratios ${JSON.stringify(ratios)}; checks ${JSON.stringify(checks)}; goal (code exchanges ≥ 1 × in memory) ${summary.goal.met ? 'met' : 'not met'}`,
      ].join('\n'),
    );
    return summary;
  } finally {
    await producer.disconnect().catch(() => {});
    await facts?.end().catch(() => {});
    await Promise.all(pools.map((p) => p.close().catch(() => {})));
    for (const c of children.reverse()) {
      const r = await c.stop().catch((err) => ({ code: err.message }));
      if (r.code !== 0 && r.signal !== 'SIGTERM')
        console.error(`${c.name} exited ${r.code ?? r.signal}; its last lines:\n${c.tail.slice(-20).join('\n')}`);
    }
    if (loginCheck) await new Promise((r) => loginCheck.server.close(r));
    await oidcDatabase?.drop();
    await database?.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}

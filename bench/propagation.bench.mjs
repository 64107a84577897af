// Revocation propagation benchmark (issue 17): on `npm start`'s platform, a PAT is revoked at
// token-service and the gateway is polled with it until it answers 401 — revoke answered →
// gateway refuses, PROPAGATION_TRIALS times (default 200) — beside a bare Kafka produce → consume
// round trip on the same broker (the floor). Goal: p99 ≤ 25 ms. Run: npm run bench -- propagation
// (BENCH_REPO=<another checkout> measures that checkout's platform: the "before" figures).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startPlatform } from './lib/platform.mjs';
import { report, summarize } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const TRIALS = Number(process.env.PROPAGATION_TRIALS ?? 200);
// Pause between two tries of the revoked token: each try is a request proxied through the gateway to
// identity-service (and its database), so back-to-back tries load the two cores the relay, the broker
// and the gateway's consumer need; 1 ms costs at most 1 ms of resolution.
const POLL_GAP_MS = Number(process.env.PROPAGATION_POLL_GAP_MS ?? 1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, url, token, body) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The operator CLI of the checkout: the bootstrap administrator's first token. */
function adminToken(repo) {
  for (let i = 0; i < 120; i++) {
    const r = spawnSync(
      process.execPath,
      [
        path.join(repo, 'apps/token-service/dist/cli/latchkey.js'),
        'pat',
        'create',
        '--user',
        'admin@latchkey.localhost',
        '--name',
        `bench-${randomUUID().slice(0, 8)}`,
        '--scopes',
        'all',
        '--all-accounts',
        '--expires-in-days',
        '1',
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          LOG_LEVEL: 'warn',
          ...(process.env.TOKEN_DATABASE_URL ? { DATABASE_URL: process.env.TOKEN_DATABASE_URL } : {}),
        },
      },
    );
    if (r.status === 0) return r.stdout.trim();
    spawnSync('sleep', ['0.5']);
  }
  throw new Error('the CLI could not issue an administrator token');
}

/** A bare produce → consume round trip on the broker, as our consumers are configured. */
async function kafkaRoundTrip(trials) {
  const { createKafka, ensureTopics, DEFAULT_MAX_WAIT_MS } = require('@latchkey/messaging');
  const kafka = createKafka({ clientId: 'bench-floor' });
  const topic = `bench.floor.${randomUUID().slice(0, 8)}`;
  await ensureTopics(kafka, [{ topic, withDlq: false }]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({
    groupId: `bench-floor-${randomUUID()}`,
    maxWaitTimeInMs: DEFAULT_MAX_WAIT_MS ?? 100,
  });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const waiting = new Map();
  await consumer.run({ eachMessage: async ({ message }) => waiting.get(message.value.toString())?.() });
  await sleep(3000); // joined and fetching
  const times = [];
  for (let i = 0; i < trials; i++) {
    const id = randomUUID();
    const got = new Promise((r) => waiting.set(id, r));
    const t0 = performance.now();
    await producer.send({ topic, acks: -1, messages: [{ key: id, value: id }] });
    await got;
    times.push(performance.now() - t0);
    waiting.delete(id);
  }
  await consumer.disconnect();
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return summarize(times);
}

export async function run() {
  const repo = process.env.BENCH_REPO ?? path.join(here, '..');
  const platform = await startPlatform(repo);
  try {
    const tokens = platform.urls['token-service'];
    const gateway = platform.urls.gateway;
    for (const url of Object.values(platform.urls)) {
      while ((await fetch(`${url}/readyz`).catch(() => ({ status: 0 }))).status !== 200) await sleep(200);
    }
    const admin = adminToken(repo);
    const me = await (async () => {
      for (;;) {
        const r = await call('GET', `${platform.urls['identity-service']}/v1/me`, admin);
        if (r.status === 200) return r.body;
        await sleep(200);
      }
    })();
    const account = me.homeAccountId;
    const pats = [];
    for (let i = 0; i < TRIALS; i++) {
      const r = await call('POST', `${tokens}/v1/personal-access-tokens`, admin, {
        name: `propagation-${randomUUID().slice(0, 8)}`,
        scopes: ['users:read', 'personal_access_tokens:delete'],
        accountIds: [account],
        expiresInDays: 1,
      });
      if (r.status !== 201) throw new Error(`PAT creation answered ${r.status}: ${JSON.stringify(r.body)}`);
      pats.push(r.body);
    }
    const through = (token) => fetch(`${gateway}/identity/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    for (;;) {
      const last = await through(pats.at(-1).token);
      await last.arrayBuffer();
      if (last.status === 200) break;
      await sleep(100);
    }
    await sleep(2000); // quiet again
    const times = [];
    for (const pat of pats) {
      const before = await through(pat.token);
      await before.arrayBuffer();
      if (before.status !== 200) throw new Error(`the gateway answered ${before.status} before the revocation`);
      const revoked = await call('DELETE', `${tokens}/v1/personal-access-tokens/${pat.id}`, pat.token);
      if (revoked.status !== 204) throw new Error(`revoke answered ${revoked.status}`);
      const answered = performance.now();
      for (;;) {
        const r = await through(pat.token);
        await r.arrayBuffer();
        if (r.status === 401) break;
        if (performance.now() - answered > 5000) throw new Error('still accepted 5 s after the revocation');
        if (POLL_GAP_MS > 0) await sleep(POLL_GAP_MS);
      }
      times.push(performance.now() - answered);
      await sleep(20); // trials apart, as revocations come in life
    }
    const revocation = summarize(times);
    const floor = await kafkaRoundTrip(TRIALS);
    return report('propagation', {
      repo: path.relative(path.join(here, '..'), repo) || '.',
      trials: TRIALS,
      pollGapMs: POLL_GAP_MS,
      revokeAnsweredToGatewayRefusesMs: revocation,
      kafkaProduceConsumeMs: floor,
      goalP99Ms: 25,
      met: revocation.p99 <= 25,
    });
  } finally {
    await platform.stop();
  }
}

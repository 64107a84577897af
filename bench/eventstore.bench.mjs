// Event store benchmark (issue 2): append throughput with the outbox at 1, 8 and 32 concurrent
// writers, and relay latency from commit to a consumer receiving the event at a steady 500
// events/s. Real PostgreSQL and Kafka (npm run infra:up). Run: npm run bench -- eventstore
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { summarize, report } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const { PgEventStore, OutboxRelay, eventStoreMigrations } = require('@latchkey/eventstore');
const {
  EventProducer,
  EventConsumer,
  InMemoryIdempotencyStore,
  ensureTopics,
  createKafka,
} = require('@latchkey/messaging');
const { createTestDatabase, uniqueTopic, uniqueGroup, deleteTestTopics } = require('@latchkey/testing');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const event = (id, v) =>
  v === 0
    ? {
        type: 'UserRegistered',
        data: { userId: id, kind: 'human', email: 'bench@example.com', displayName: 'Bench', accountIds: ['acct-1'] },
      }
    : {
        type: 'MembershipChanged',
        data: { userId: id, accountId: 'acct-1', roles: ['member'], permissions: ['orders:read'] },
      };

async function appendThroughput(writers) {
  const db = await createTestDatabase(eventStoreMigrations, { poolSize: writers + 2 });
  const store = new PgEventStore(db.dataSource, { source: 'bench', topic: 'bench.unused' });
  const deadline = performance.now() + SECONDS * 1000;
  const latencies = [];
  let appended = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const id = randomUUID();
      for (let v = 0; performance.now() < deadline; v++) {
        const t0 = performance.now();
        await store.append({ stream: { type: 'user', id }, expectedVersion: v, events: [event(id, v)] });
        latencies.push(performance.now() - t0);
        appended++;
      }
    }),
  );
  await db.drop();
  return { writers, eventsPerSecond: Math.round(appended / SECONDS), appendLatencyMs: summarize(latencies) };
}

async function relayLatency(rate) {
  const db = await createTestDatabase(eventStoreMigrations, { poolSize: 8 });
  const kafka = createKafka({ clientId: 'bench' });
  const topic = uniqueTopic('bench-relay');
  await ensureTopics(kafka, [{ topic }]);
  const store = new PgEventStore(db.dataSource, { source: 'bench', topic });
  const producer = new EventProducer(kafka);
  await producer.connect();
  const relay = new OutboxRelay(
    db.dataSource,
    producer,
    process.env.RELAY_POLL_MS ? { pollIntervalMs: Number(process.env.RELAY_POLL_MS) } : {},
  );
  // as every service's runtime does: a commit wakes the relay at once (the poll is only a fallback)
  if (!process.env.RELAY_NO_POKE) store.committed?.onCommitted(() => relay.poke());
  const publishedAt = new Map();
  const publish = producer.publish.bind(producer);
  producer.publish = async (messages) => {
    await publish(messages);
    const t = performance.now();
    for (const m of messages) publishedAt.set(m.envelope.id, t);
  };
  const committedAt = new Map();
  const latencies = [];
  const relayLegs = [];
  const consumer = new EventConsumer(kafka, {
    groupId: uniqueGroup('bench'),
    topics: [topic],
    idempotency: new InMemoryIdempotencyStore(),
    handler: async (e) => {
      const t = committedAt.get(e.id);
      if (t !== undefined) latencies.push(performance.now() - t);
      const p = publishedAt.get(e.id);
      if (t !== undefined && p !== undefined) relayLegs.push(p - t);
    },
  });
  await consumer.start();
  relay.start();
  const total = rate * SECONDS * 2;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const id = randomUUID();
    pending.push(
      store
        .append({ stream: { type: 'user', id }, expectedVersion: 0, events: [event(id, 0)] })
        .then(({ envelopes }) => {
          committedAt.set(envelopes[0].id, performance.now());
        }),
    );
  }
  await Promise.all(pending);
  const deadline = performance.now() + 30_000;
  while (latencies.length < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await relay.stop();
  await consumer.stop();
  await producer.disconnect();
  await deleteTestTopics(kafka);
  await db.drop();
  return {
    rate,
    events: total,
    received: latencies.length,
    commitToConsumerMs: summarize(latencies),
    commitToPublishedMs: summarize(relayLegs),
  };
}

export async function run() {
  if (process.env.RELAY_ONLY) return report('eventstore-relay', { relay: await relayLatency(500) });
  const appends = [];
  for (const w of [1, 8, 32]) appends.push(await appendThroughput(w));
  const relay = await relayLatency(500);
  return report('eventstore', { seconds: SECONDS, appends, relay });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

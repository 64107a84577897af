// Event store benchmark (issue 2): append throughput with the outbox at 1, 8 and 32 concurrent
// writers, and relay latency from commit to a consumer receiving the event at a steady 500
// events/s. Real PostgreSQL and Kafka (npm run infra:up). Run: npm run bench -- eventstore
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
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

/** Milliseconds since the epoch, high resolution: comparable with the consumer thread's clock. */
const epochNow = () => performance.timeOrigin + performance.now();
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

/**
 * A consumer on a thread of its own (bench/eventstore/consumer-worker.mjs): `onReceived(id, epochMs)`
 * for every message; resolves once it consumes, with `stop()`.
 */
async function consumerThread(workerData, onReceived) {
  const worker = new Worker(new URL('./eventstore/consumer-worker.mjs', import.meta.url), { workerData });
  const said = (what) => new Promise((r) => worker.on('message', (m) => m === what && r()));
  worker.on('message', (m) => Array.isArray(m) && onReceived(m[0], m[1]));
  await said('started');
  return {
    async stop() {
      const stopped = said('stopped');
      worker.postMessage('stop');
      await stopped;
      await worker.terminate();
    },
  };
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
    const t = epochNow();
    for (const m of messages) publishedAt.set(m.envelope.id, t);
  };
  const committedAt = new Map();
  const latencies = [];
  const relayLegs = [];
  const consumer = await consumerThread(
    {
      topic,
      groupId: uniqueGroup('bench'),
      maxWaitTimeInMs: process.env.CONSUMER_MAX_WAIT_MS ? Number(process.env.CONSUMER_MAX_WAIT_MS) : undefined,
    },
    (id, receivedAt) => {
      const t = committedAt.get(id);
      if (t !== undefined) latencies.push(receivedAt - t);
      const p = publishedAt.get(id);
      if (t !== undefined && p !== undefined) relayLegs.push(p - t);
    },
  );
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
          committedAt.set(envelopes[0].id, epochNow());
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

/**
 * The floor under the relay figure: plain kafkajs, no database — one message per send at `rate`,
 * keyed like events (spread over the topic's partitions), send → a consumer on another thread has it.
 */
async function kafkaFloor(rate) {
  const kafka = createKafka({ clientId: 'bench-floor' });
  const topic = uniqueTopic('bench-floor');
  await ensureTopics(kafka, [{ topic, withDlq: false }]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const sentAt = new Map();
  const latencies = [];
  const consumer = await consumerThread({ topic, groupId: uniqueGroup('bench-floor'), raw: true }, (id, at) => {
    const t = sentAt.get(id);
    if (t !== undefined) latencies.push(at - t);
  });
  const total = rate * SECONDS * 2;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const id = randomUUID();
    sentAt.set(id, epochNow());
    pending.push(producer.send({ topic, acks: -1, messages: [{ key: id, value: id }] }));
  }
  await Promise.all(pending);
  const deadline = performance.now() + 30_000;
  while (latencies.length < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await consumer.stop();
  await producer.disconnect();
  await deleteTestTopics(kafka);
  return { rate, messages: total, received: latencies.length, sendToConsumerMs: summarize(latencies) };
}

export async function run() {
  if (process.env.RELAY_ONLY) {
    const rate = Number(process.env.RELAY_RATE ?? 500);
    return report('eventstore-relay', { relay: await relayLatency(rate), kafkaFloor: await kafkaFloor(rate) });
  }
  const appends = [];
  for (const w of [1, 8, 32]) appends.push(await appendThroughput(w));
  const relay = await relayLatency(500);
  return report('eventstore', { seconds: SECONDS, appends, relay });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { EventConsumer, EventProducer, ensureTopics, InMemoryIdempotencyStore } from '@latchkey/messaging';
import {
  createTestDatabase,
  kafkaBroker,
  testKafka,
  uniqueGroup,
  uniqueTopic,
  waitFor,
  type TestDatabase,
  deleteTestTopics,
} from '@latchkey/testing';
import { eventStoreMigrations } from '../migrations';
import { PgEventStore } from '../store/pg-event-store';
import { membershipChanged, TEST_SOURCE, userRegistered } from '../testing/fixtures';
import { OutboxRelay } from './outbox-relay';

/** An idempotent consumer that records what it handled, in arrival order. */
async function startRecorder(kafka: Kafka, topic: string) {
  const handled: LatchkeyEvent[] = [];
  const idempotency = new InMemoryIdempotencyStore();
  let duplicates = 0;
  const consumer = new EventConsumer(kafka, {
    groupId: uniqueGroup('relay'),
    topics: [topic],
    idempotency: {
      runOnce: async (id, work) => {
        const r = await idempotency.runOnce(id, work);
        if (r === 'duplicate') duplicates++;
        return r;
      },
    },
    handler: async (event) => {
      handled.push(event);
    },
  });
  await consumer.start();
  return { handled, consumer, duplicates: () => duplicates };
}

function expectPerStreamOrder(events: LatchkeyEvent[]) {
  const last = new Map<string, number>();
  for (const e of events) {
    expect(e.aggregateVersion).toBe((last.get(e.aggregateId) ?? 0) + 1);
    last.set(e.aggregateId, e.aggregateVersion);
  }
}

describe('OutboxRelay (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let kafka: Kafka;
  let producer: EventProducer;

  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations, { poolSize: 40 });
    kafka = testKafka('relay-test');
    producer = new EventProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await deleteTestTopics(kafka);
    await db.drop();
  });
  afterEach(async () => {
    await db.dataSource.query('DELETE FROM outbox');
  });

  async function topicWithStore() {
    const topic = uniqueTopic('relay');
    await ensureTopics(kafka, [{ topic }]);
    return { topic, store: new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic }) };
  }

  it('delivers 1,000 events appended by 4 concurrent writers to 50 streams exactly once, each stream in version order', async () => {
    const { topic, store } = await topicWithStore();
    const recorder = await startRecorder(kafka, topic);
    const relay = new OutboxRelay(db.dataSource, producer);
    relay.start();
    const streams = Array.from({ length: 50 }, () => randomUUID());
    const versions = new Map(streams.map((s) => [s, 0]));
    // 4 writers, each taking turns over the streams; 20 events per stream in all.
    const writer = async (w: number) => {
      for (let i = 0; i < 250; i++) {
        const id = streams[(i * 4 + w) % 50];
        for (;;) {
          const v = versions.get(id)!;
          try {
            await store.append({
              stream: { type: 'user', id },
              expectedVersion: v,
              events: [v === 0 ? userRegistered(id) : membershipChanged(id, v)],
            });
            versions.set(id, v + 1);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== 'EVENTSTORE_CONCURRENCY') throw err;
            versions.set(
              id,
              Number(
                (await db.dataSource.query('SELECT max(version) AS v FROM events WHERE stream_id = $1', [id]))[0].v,
              ),
            );
          }
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(writer));

    await waitFor(() => recorder.handled.length >= 1000, { timeoutMs: 60_000, what: '1,000 events' });
    await new Promise((r) => setTimeout(r, 500)); // give stragglers a chance to show up
    await relay.stop();
    await recorder.consumer.stop();

    expect(recorder.handled).toHaveLength(1000);
    expect(new Set(recorder.handled.map((e) => e.id)).size).toBe(1000);
    const stored = await db.dataSource.query(
      'SELECT event_id FROM events e JOIN (SELECT unnest($1::text[]) AS s) x ON x.s = e.stream_id',
      [streams],
    );
    expect(new Set(recorder.handled.map((e) => e.id))).toEqual(
      new Set(stored.map((r: { event_id: string }) => r.event_id)),
    );
    expectPerStreamOrder(recorder.handled);
    expect(await relay.pending()).toBe(0);
  });

  it('does not skip a row whose transaction commits after rows with a higher position', async () => {
    const { topic, store } = await topicWithStore();
    const recorder = await startRecorder(kafka, topic);
    const relay = new OutboxRelay(db.dataSource, producer);
    relay.start();
    const slow = randomUUID();
    const fast = randomUUID();

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const slowAppended = new Promise<void>((r) => (appended = r));
    const slowTx = db.dataSource.transaction(async (manager) => {
      await store.appendIn(manager, {
        stream: { type: 'user', id: slow },
        expectedVersion: 0,
        events: [userRegistered(slow)],
      });
      appended();
      await held; // keeps the lower outbox position uncommitted
    });
    await slowAppended;
    await store.append({ stream: { type: 'user', id: fast }, expectedVersion: 0, events: [userRegistered(fast)] });

    await waitFor(() => recorder.handled.some((e) => e.aggregateId === fast), { what: 'the later-positioned event' });
    expect(recorder.handled.some((e) => e.aggregateId === slow)).toBe(false);
    release();
    await slowTx;
    await waitFor(() => recorder.handled.some((e) => e.aggregateId === slow), { what: 'the late-committed event' });

    await relay.stop();
    await recorder.consumer.stop();
    expect(recorder.handled.map((e) => e.aggregateId)).toEqual([fast, slow]);
  });

  it('is safe with several relay instances: every event once, in order per stream', async () => {
    const { topic, store } = await topicWithStore();
    const recorder = await startRecorder(kafka, topic);
    const relays = [0, 1, 2].map(
      () => new OutboxRelay(db.dataSource, producer, { batchSize: 7, standbyIntervalMs: 5 }),
    );
    relays.forEach((r) => r.start());
    const streams = Array.from({ length: 10 }, () => randomUUID());
    for (let v = 0; v < 10; v++) {
      await Promise.all(
        streams.map((id) =>
          store.append({
            stream: { type: 'user', id },
            expectedVersion: v,
            events: [v === 0 ? userRegistered(id) : membershipChanged(id, v)],
          }),
        ),
      );
    }
    await waitFor(() => recorder.handled.length >= 100, { what: '100 events' });
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all(relays.map((r) => r.stop()));
    await recorder.consumer.stop();

    expect(recorder.handled).toHaveLength(100);
    expect(recorder.duplicates()).toBe(0);
    expectPerStreamOrder(recorder.handled);
  });

  it('keeps appending while Kafka is down and delivers all 200 events once it is back, none lost, none handled twice', async () => {
    const { topic, store } = await topicWithStore();
    const recorder = await startRecorder(kafka, topic);
    const relayProducer = new EventProducer(testKafka('relay-outage'));
    const relay = new OutboxRelay(db.dataSource, relayProducer, { maxBackoffMs: 1000 });
    relay.start();
    try {
      kafkaBroker('down');
      const ids: string[] = [];
      for (let i = 0; i < 200; i++) {
        const id = randomUUID();
        ids.push(id);
        await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id, i)] });
      }
      expect(
        Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = ANY($1)', [ids]))[0].n),
      ).toBe(200);
      expect(await relay.pending()).toBe(200);
    } finally {
      kafkaBroker('up');
    }
    await waitFor(() => recorder.handled.length >= 200, { timeoutMs: 120_000, what: '200 events after the outage' });
    await waitFor(async () => (await relay.pending()) === 0, { what: 'an empty outbox' });
    await new Promise((r) => setTimeout(r, 1000));
    await relay.stop();
    await relayProducer.disconnect();
    await recorder.consumer.stop();

    expect(recorder.handled).toHaveLength(200);
    expect(new Set(recorder.handled.map((e) => e.id)).size).toBe(200);
  }, 240_000);
});

import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
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
import { envelopesOf } from '../store/envelopes-of';
import { PgEventStore } from '../store/pg-event-store';
import { largeMembershipChanged, membershipChanged, TEST_SOURCE, userRegistered } from '../testing/fixtures';
import { messageBytes } from './message-size';
import { OutboxRelay, OutboxRowParkedError, type OutboxPublisher, type ParkedRow } from './outbox-relay';

/** The producer, noting the bytes of each request it is handed. */
function measuring(producer: EventProducer): OutboxPublisher & { requests: number[] } {
  const requests: number[] = [];
  return {
    requests,
    publish: async (messages) => {
      requests.push(messages.reduce((n, m) => n + messageBytes(m.key, m.envelope), 0));
      await producer.publish(messages);
    },
  };
}

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

  it('refuses settings it would write into its statements unless they are integers in range', () => {
    for (const bad of [{ batchSize: 0 }, { batchSize: 2.5 }, { maxBatchBytes: -1 }, { lockKey: Number.NaN }])
      expect(() => new OutboxRelay(db.dataSource, producer, bad)).toThrow(RangeError);
    expect(() => new OutboxRelay(db.dataSource, producer, { lockKey: -7, batchSize: 1 })).not.toThrow();
  });

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

  it('publishes a backlog larger than 1 MiB on one partition completely and in order, in requests under the byte limit', async () => {
    const { topic, store } = await topicWithStore();
    const id = randomUUID(); // one stream: one key, one partition, one record batch per request
    await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });
    for (let v = 1; v <= 30; v++) {
      await store.append({
        stream: { type: 'user', id },
        expectedVersion: v,
        events: [largeMembershipChanged(id, 60_000, v)],
      });
    }
    const backlog = Number((await db.dataSource.query('SELECT sum(message_bytes) AS n FROM outbox'))[0].n);
    expect(backlog).toBeGreaterThan(1_800_000);

    const recorder = await startRecorder(kafka, topic);
    const publisher = measuring(producer);
    const relay = new OutboxRelay(db.dataSource, publisher);
    relay.start();
    await waitFor(() => recorder.handled.length >= 31, { timeoutMs: 60_000, what: 'the 31 events' });
    await relay.stop();
    await recorder.consumer.stop();

    expect(recorder.handled.map((e) => e.aggregateVersion)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(publisher.requests.length).toBeGreaterThan(1);
    expect(Math.max(...publisher.requests)).toBeLessThanOrEqual(900_000);
    expect(publisher.requests.reduce((a, b) => a + b, 0)).toBe(backlog);
    expect(await relay.pending()).toBe(0);
  });

  it('parks a row too large for one Kafka message (1.2 MB inserted into the outbox directly), reports it, and publishes the rows behind it', async () => {
    const { topic, store } = await topicWithStore();
    const [before, after1, after2, big] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await store.append({ stream: { type: 'user', id: before }, expectedVersion: 0, events: [userRegistered(before)] });
    const [oversized] = envelopesOf(TEST_SOURCE, 'user', big, [largeMembershipChanged(big, 1_200_000)]);
    await db.dataSource.query(
      'INSERT INTO outbox (event_id, topic, message_key, envelope) VALUES ($1, $2, $3, $4::jsonb)',
      [oversized.id, topic, big, JSON.stringify(oversized)],
    );
    for (const id of [after1, after2])
      await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });

    const recorder = await startRecorder(kafka, topic);
    const parked: ParkedRow[] = [];
    const errors: Array<[unknown, number]> = [];
    const relay = new OutboxRelay(db.dataSource, producer, {
      onParked: (row) => parked.push(row),
      onError: (error, consecutive) => errors.push([error, consecutive]),
    });
    relay.start();
    await waitFor(() => recorder.handled.length >= 3, { what: 'the rows before and after the oversized one' });
    await relay.stop();
    await recorder.consumer.stop();

    // three streams on three partitions: no order between them
    expect(recorder.handled.map((e) => e.aggregateId).sort()).toEqual([before, after1, after2].sort());
    expect(parked).toEqual([
      {
        position: expect.stringMatching(/^\d+$/),
        eventId: oversized.id,
        type: 'MembershipChanged',
        topic,
        bytes: messageBytes(big, oversized),
        maxBytes: 900_000,
        reason: 'too-large',
      },
    ]);
    expect(parked[0].bytes).toBeGreaterThan(1_200_000);
    expect(errors).toHaveLength(1);
    expect(errors[0][0]).toBeInstanceOf(OutboxRowParkedError);
    expect(errors[0][1]).toBe(0);
    expect((errors[0][0] as Error).message).not.toContain('xxxx'); // where it is, never what it holds
    const rows = (await db.dataSource.query('SELECT * FROM outbox_parked WHERE event_id = $1', [
      oversized.id,
    ])) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      position: parked[0].position,
      topic,
      message_key: big,
      envelope: oversized,
      message_bytes: parked[0].bytes,
      reason: 'too-large',
    });
    expect(rows[0].parked_at).toBeInstanceOf(Date);
    expect(await relay.pending()).toBe(0);
    expect(await relay.parked()).toBe(1);

    // the re-queue documented in the migration puts it back at the end of the outbox
    await db.dataSource.query(
      `WITH moved AS (DELETE FROM outbox_parked WHERE position = $1 RETURNING *)
       INSERT INTO outbox (event_id, topic, message_key, envelope)
       SELECT event_id, topic, message_key, envelope FROM moved`,
      [parked[0].position],
    );
    expect(await relay.parked()).toBe(0);
    const [requeued] = await db.dataSource.query('SELECT envelope FROM outbox');
    expect(requeued.envelope).toEqual(oversized);
  });

  describe('an event leaves the moment it commits (issue 17)', () => {
    const HOUR = 3_600_000;

    it('a relay whose poll is set to an hour still publishes a committed event at once: the commit pokes it', async () => {
      const { topic, store } = await topicWithStore();
      const recorder = await startRecorder(kafka, topic);
      const relay = new OutboxRelay(db.dataSource, producer, { pollIntervalMs: HOUR });
      const off = store.committed.onCommitted(() => relay.poke());
      relay.start();
      try {
        await waitFor(async () => (await relay.pending()) === 0, { what: 'the first (empty) pass' });
        for (let i = 0; i < 20; i++) {
          const id = randomUUID();
          await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id, i)] });
          // each one goes out long before any poll could come (the next is an hour away)
          await waitFor(() => recorder.handled.some((e) => e.aggregateId === id), {
            timeoutMs: 10_000,
            intervalMs: 5,
            what: `event ${i} on Kafka without a poll`,
          });
        }
        // (a row is deleted in the pass's transaction, a moment after Kafka has it)
        await waitFor(async () => (await relay.pending()) === 0, { timeoutMs: 5_000, what: 'an empty outbox' });
      } finally {
        off();
        await relay.stop();
        await recorder.consumer.stop();
      }
    });

    it('after a poke a pass goes straight to the rows: two round trips on its connection, no emptiness check', async () => {
      const { topic, store } = await topicWithStore();
      const recorder = await startRecorder(kafka, topic);
      // the statements sent on each connection the data source opens from here on (the relay keeps one)
      const connections: string[][] = [];
      const createQueryRunner = db.dataSource.createQueryRunner.bind(db.dataSource);
      const spy = jest.spyOn(db.dataSource, 'createQueryRunner').mockImplementation((mode) => {
        const runner = createQueryRunner(mode);
        const connect = runner.connect.bind(runner);
        runner.connect = async () => {
          const client = (await connect()) as { query: (...args: unknown[]) => unknown; sent?: string[] };
          if (!client.sent) {
            const sent: string[] = (client.sent = []);
            connections.push(sent);
            const query = client.query.bind(client);
            client.query = (...args: unknown[]) => {
              sent.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text));
              return query(...args);
            };
          }
          return client;
        };
        return runner;
      });
      const relayStatements = () =>
        connections.find((sent) => sent.some((q) => q.startsWith('SELECT 1 FROM outbox'))) ?? [];
      const relay = new OutboxRelay(db.dataSource, producer, { pollIntervalMs: HOUR });
      const off = store.committed.onCommitted(() => relay.poke());
      relay.start();
      try {
        await waitFor(() => relayStatements().length > 0, { what: 'the first (empty) pass' });
        const sent = relayStatements();
        sent.length = 0;
        const id = randomUUID();
        await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id, 0)] });
        await waitFor(() => recorder.handled.some((e) => e.aggregateId === id), { what: 'the event on Kafka' });
        await waitFor(async () => (await relay.pending()) === 0, { what: 'an empty outbox' });
        expect(sent).toHaveLength(2);
        expect(sent[0]).toMatch(/^BEGIN; SELECT pg_try_advisory_xact_lock/);
        expect(sent[1]).toMatch(/^DELETE FROM outbox WHERE position IN \([0-9]+\); COMMIT$/);
      } finally {
        off();
        spy.mockRestore();
        await relay.stop();
        await recorder.consumer.stop();
      }
    });

    it('a poke while a pass is under way is not lost: commits racing a pass all leave without a poll', async () => {
      const { topic, store } = await topicWithStore();
      const recorder = await startRecorder(kafka, topic);
      const relay = new OutboxRelay(db.dataSource, producer, { pollIntervalMs: HOUR });
      const off = store.committed.onCommitted(() => relay.poke());
      relay.start();
      try {
        const ids = Array.from({ length: 200 }, () => randomUUID());
        await Promise.all(
          ids.map((id, i) =>
            store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id, i)] }),
          ),
        );
        await waitFor(() => recorder.handled.length >= 200, {
          timeoutMs: 20_000,
          what: '200 racing events',
        }).catch(async (e) => {
          throw new Error(
            `${(e as Error).message}; handled ${recorder.handled.length}, pending ${await relay.pending()}`,
          );
        });
        expect(new Set(recorder.handled.map((e) => e.aggregateId))).toEqual(new Set(ids));
      } finally {
        off();
        await relay.stop();
        await recorder.consumer.stop();
      }
    });

    it('rows written by another process (no poke here) are still published by the fallback poll', async () => {
      const { topic, store: ours } = await topicWithStore();
      const recorder = await startRecorder(kafka, topic);
      const relay = new OutboxRelay(db.dataSource, producer, { pollIntervalMs: 300 });
      const off = ours.committed.onCommitted(() => relay.poke());
      // another process: its own connection pool and store, whose commits this relay never hears of
      const other = new DataSource({ type: 'postgres', url: db.url, synchronize: false, logging: false });
      await other.initialize();
      relay.start();
      try {
        const theirs = new PgEventStore(other, { source: TEST_SOURCE, topic });
        const id = randomUUID();
        await theirs.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });
        await waitFor(() => recorder.handled.some((e) => e.aggregateId === id), {
          timeoutMs: 10_000,
          what: 'the other process’s event, by the poll',
        });
      } finally {
        off();
        await relay.stop();
        await other.destroy();
        await recorder.consumer.stop();
      }
    });

    it('a crash between commit and publish loses nothing: the next relay to start publishes what was committed', async () => {
      const { topic, store } = await topicWithStore();
      const recorder = await startRecorder(kafka, topic);
      // the process "crashes" right after its commits: no relay ran, the rows are only in the outbox
      const ids = Array.from({ length: 30 }, () => randomUUID());
      for (const [i, id] of ids.entries())
        await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id, i)] });
      const failing = new OutboxRelay(db.dataSource, {
        publish: async () => {
          throw new Error('killed mid-publish');
        },
      });
      expect(await failing.publishBatch().catch((e: Error) => e.message)).toBe('killed mid-publish');
      expect(await failing.pending()).toBe(30); // the failed pass rolled back: every row is still there
      const restarted = new OutboxRelay(db.dataSource, producer, { pollIntervalMs: HOUR });
      restarted.start(); // its first pass runs at start, poll or not
      try {
        await waitFor(() => recorder.handled.length >= 30, { timeoutMs: 20_000, what: 'the committed events' });
        expect(new Set(recorder.handled.map((e) => e.aggregateId))).toEqual(new Set(ids));
        expect(await restarted.pending()).toBe(0);
      } finally {
        await restarted.stop();
        await recorder.consumer.stop();
      }
    });
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

import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import { EventConsumer, EventProducer, ensureTopics } from '@latchkey/messaging';
import {
  createTestDatabase,
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
import { OutboxRelay } from '../outbox/outbox-relay';
import { PgIdempotencyStore } from './pg-idempotency-store';

describe('PgIdempotencyStore with EventConsumer (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let kafka: Kafka;

  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations);
    await db.dataSource.query(
      'CREATE TABLE applied (event_id uuid NOT NULL, stream_id text NOT NULL, version int NOT NULL, seq bigserial)',
    );
    kafka = testKafka('idempotency-test');
  });
  afterAll(async () => {
    await deleteTestTopics(kafka);
    await db.drop();
  });

  const appliedCounts = async () =>
    (await db.dataSource.query('SELECT event_id, count(*)::int AS n FROM applied GROUP BY event_id')) as Array<{
      event_id: string;
      n: number;
    }>;

  it('runs the work once per event id, and not at all when the work fails', async () => {
    const store = new PgIdempotencyStore(db.dataSource, 'unit-of-work');
    const id = randomUUID();
    const work = (m: EntityManager) =>
      m.query(`INSERT INTO applied (event_id, stream_id, version) VALUES ($1, 's', 1)`, [id]);
    await expect(
      store.runOnce(id, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.runOnce(id, async (m) => void (await work(m)))).toBe('handled');
    expect(await store.runOnce(id, async (m) => void (await work(m)))).toBe('duplicate');
    expect((await appliedCounts()).find((r) => r.event_id === id)?.n).toBe(1);
  });

  it('a consumer restarted mid-stream, with its offsets lost, handles no event twice', async () => {
    await db.dataSource.query('DELETE FROM applied');
    const topic = uniqueTopic('restart');
    await ensureTopics(kafka, [{ topic }]);
    const producer = new EventProducer(kafka);
    const relay = new OutboxRelay(db.dataSource, producer);
    const es = new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic });
    const streams = Array.from({ length: 20 }, () => randomUUID());
    for (let v = 0; v < 15; v++) {
      await Promise.all(
        streams.map((id) =>
          es.append({
            stream: { type: 'user', id },
            expectedVersion: v,
            events: [v === 0 ? userRegistered(id) : membershipChanged(id, v)],
          }),
        ),
      );
    }
    relay.start();

    const groupId = uniqueGroup('restart');
    const idempotency = new PgIdempotencyStore(db.dataSource, groupId);
    let calls = 0;
    const makeConsumer = () =>
      new EventConsumer<EntityManager>(kafka, {
        groupId,
        topics: [topic],
        idempotency,
        handler: async (event, { tx }) => {
          calls++;
          await tx.query('INSERT INTO applied (event_id, stream_id, version) VALUES ($1, $2, $3)', [
            event.id,
            event.aggregateId,
            event.aggregateVersion,
          ]);
        },
      });

    const first = makeConsumer();
    await first.start();
    await waitFor(async () => (await appliedCounts()).length >= 100, { what: '100 applied events' });
    await first.stop(); // mid-stream: 300 events in all
    const before = (await appliedCounts()).length;
    expect(before).toBeLessThan(300);

    // Lose the committed offsets, as if the consumer had crashed before committing: everything is redelivered.
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic, earliest: true });
    await admin.disconnect();

    const second = makeConsumer();
    await second.start();
    await waitFor(async () => (await appliedCounts()).length >= 300, { what: '300 applied events' });
    await new Promise((r) => setTimeout(r, 500));
    await second.stop();
    await relay.stop();
    await producer.disconnect();

    const counts = await appliedCounts();
    expect(counts).toHaveLength(300);
    expect(counts.every((r) => r.n === 1)).toBe(true);
    expect(calls).toBe(300); // redelivered events never reached the handler
    // and per stream, versions were applied in order (seq is taken inside each handler's
    // transaction, and a stream's next event is only handled after the previous one committed)
    const rows = (await db.dataSource.query('SELECT stream_id, version FROM applied ORDER BY seq')) as Array<{
      stream_id: string;
      version: number;
    }>;
    const last = new Map<string, number>();
    for (const r of rows) {
      expect(r.version).toBe((last.get(r.stream_id) ?? 0) + 1);
      last.set(r.stream_id, r.version);
    }
  });
});

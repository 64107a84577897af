import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import { eventStoreMigrations } from '../migrations';
import { messageBytes } from '../outbox/message-size';
import {
  largeMembershipChanged,
  membershipChanged,
  TEST_SOURCE,
  TEST_TOPIC,
  userRegistered,
} from '../testing/fixtures';
import { ConcurrencyError, EventTooLargeError } from './errors';
import { PgEventStore } from './pg-event-store';

describe('PgEventStore (real PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PgEventStore;

  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations, { poolSize: 20 });
    store = new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC });
  });
  afterAll(() => db.drop());

  const versions = async (streamId: string) =>
    (
      (await db.dataSource.query('SELECT version FROM events WHERE stream_id = $1 ORDER BY version', [
        streamId,
      ])) as Array<{ version: number }>
    ).map((r) => r.version);
  const outboxCount = async (streamId: string) =>
    Number((await db.dataSource.query('SELECT count(*) AS n FROM outbox WHERE message_key = $1', [streamId]))[0].n);

  it('given a new stream, when events are appended, then they load back in order with envelopes and an outbox row each', async () => {
    const id = randomUUID();
    const result = await store.append({
      stream: { type: 'user', id },
      expectedVersion: 0,
      events: [userRegistered(id), membershipChanged(id, 1)],
      correlationId: 'corr-1',
      actor: 'admin-1',
    });

    expect(result.version).toBe(2);
    const loaded = await store.load(id);
    expect(
      loaded.map((e) => [e.type, e.aggregateVersion, e.aggregateId, e.aggregateType, e.source, e.correlationId]),
    ).toEqual([
      ['UserRegistered', 1, id, 'user', TEST_SOURCE, 'corr-1'],
      ['MembershipChanged', 2, id, 'user', TEST_SOURCE, 'corr-1'],
    ]);
    expect(loaded.map((e) => e.id)).toEqual(result.envelopes.map((e) => e.id));
    const outbox = await db.dataSource.query(
      'SELECT topic, message_key, envelope FROM outbox WHERE message_key = $1 ORDER BY position',
      [id],
    );
    expect(outbox.map((r: { topic: string }) => r.topic)).toEqual([TEST_TOPIC, TEST_TOPIC]);
    expect(outbox[1].envelope).toEqual(result.envelopes[1]);
  });

  it('given two writers at the same expected version, then exactly one succeeds and the other gets ConcurrencyError', async () => {
    for (let round = 0; round < 10; round++) {
      const id = randomUUID();
      await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });
      const outcomes = await Promise.allSettled([
        store.append({ stream: { type: 'user', id }, expectedVersion: 1, events: [membershipChanged(id, 1)] }),
        store.append({
          stream: { type: 'user', id },
          expectedVersion: 1,
          events: [membershipChanged(id, 2), membershipChanged(id, 3)],
        }),
      ]);
      const ok = outcomes.filter((o) => o.status === 'fulfilled');
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect(failed[0].reason).toBeInstanceOf(ConcurrencyError);
      expect(failed[0].reason.code).toBe('EVENTSTORE_CONCURRENCY');
      const v = await versions(id);
      expect(v).toEqual(Array.from({ length: v.length }, (_, i) => i + 1)); // no gap, no duplicate
      expect(await outboxCount(id)).toBe(v.length); // the loser wrote no outbox row either
    }
  });

  it('given 16 concurrent writers on one stream, then versions stay gapless and each success is reflected exactly', async () => {
    const id = randomUUID();
    await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) =>
        store.append({ stream: { type: 'user', id }, expectedVersion: 1, events: [membershipChanged(id, i)] }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await versions(id)).toEqual([1, 2]);
  });

  it('given an expected version behind or ahead of the stream, then ConcurrencyError names the actual version', async () => {
    const id = randomUUID();
    await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });
    await expect(
      store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [membershipChanged(id, 1)] }),
    ).rejects.toMatchObject({ actualVersion: 1, expectedVersion: 0 });
    await expect(
      store.append({ stream: { type: 'user', id }, expectedVersion: 5, events: [membershipChanged(id, 1)] }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await versions(id)).toEqual([1]);
  });

  it('given an event that breaks its schema, when appended, then nothing is written', async () => {
    const id = randomUUID();
    await expect(
      store.append({
        stream: { type: 'user', id },
        expectedVersion: 0,
        events: [{ type: 'UserRegistered', data: { userId: id } }],
      }),
    ).rejects.toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    expect(await versions(id)).toEqual([]);
    expect(await outboxCount(id)).toBe(0);
  });

  it('given an event larger than one Kafka message may be, then the append is refused with a stable code and nothing is stored', async () => {
    const id = randomUUID();
    await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });
    const refused = store.append({
      stream: { type: 'user', id },
      expectedVersion: 1,
      events: [membershipChanged(id, 1), largeMembershipChanged(id, 950_000)],
    });
    await expect(refused).rejects.toBeInstanceOf(EventTooLargeError);
    await expect(refused).rejects.toMatchObject({
      code: 'EVENTSTORE_EVENT_TOO_LARGE',
      eventType: 'MembershipChanged',
      maxBytes: 900_000,
    });
    await expect(refused).rejects.toThrow(/^a MembershipChanged event of \d+ bytes exceeds the limit of 900000 bytes/);
    expect(await versions(id)).toEqual([1]);
    expect(await outboxCount(id)).toBe(1);

    const tight = new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC, maxMessageBytes: 2_000 });
    await expect(
      tight.append({ stream: { type: 'user', id }, expectedVersion: 1, events: [largeMembershipChanged(id, 3_000)] }),
    ).rejects.toMatchObject({ code: 'EVENTSTORE_EVENT_TOO_LARGE', maxBytes: 2_000 });
  });

  it('records with each outbox row the size of the Kafka message it becomes', async () => {
    const id = randomUUID();
    const { envelopes } = await store.append({
      stream: { type: 'user', id },
      expectedVersion: 0,
      events: [userRegistered(id), largeMembershipChanged(id, 50_000)],
      correlationId: 'corr-size',
    });
    const rows = (await db.dataSource.query(
      'SELECT message_bytes FROM outbox WHERE message_key = $1 ORDER BY position',
      [id],
    )) as Array<{ message_bytes: number }>;
    expect(rows.map((r) => r.message_bytes)).toEqual(envelopes.map((e) => messageBytes(id, e)));
    expect(rows[1].message_bytes).toBeGreaterThan(50_000);
  });

  it('given the caller’s transaction fails after the append, then neither events nor outbox rows remain', async () => {
    const id = randomUUID();
    await expect(
      db.dataSource.transaction(async (manager) => {
        await store.appendIn(manager, {
          stream: { type: 'user', id },
          expectedVersion: 0,
          events: [userRegistered(id)],
        });
        throw new Error('read model update failed');
      }),
    ).rejects.toThrow('read model update failed');
    expect(await versions(id)).toEqual([]);
    expect(await outboxCount(id)).toBe(0);
  });

  it('refuses to update or delete stored events', async () => {
    const id = randomUUID();
    await store.append({ stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });
    await expect(db.dataSource.query(`UPDATE events SET type = 'X' WHERE stream_id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.dataSource.query('DELETE FROM events WHERE stream_id = $1', [id])).rejects.toThrow(/append-only/);
    expect(await versions(id)).toEqual([1]);
  });
});

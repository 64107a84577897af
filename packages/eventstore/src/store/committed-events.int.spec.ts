import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@latchkey/contracts';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import { eventStoreMigrations } from '../migrations';
import { TEST_SOURCE, TEST_TOPIC, userRegistered } from '../testing/fixtures';
import { PgEventStore } from './pg-event-store';

describe('CommittedEvents: a process hears of its own events at commit (real PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PgEventStore;
  let heard: EventEnvelope[][];
  let stopListening: () => void;

  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations);
    store = new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC });
    stopListening = store.committed.onCommitted((envelopes) => heard.push([...envelopes]));
  });
  afterAll(async () => {
    stopListening();
    await db.drop();
  });
  beforeEach(() => (heard = []));

  const append = (manager: Parameters<PgEventStore['appendIn']>[0], id = randomUUID()) =>
    store.appendIn(manager, { stream: { type: 'user', id }, expectedVersion: 0, events: [userRegistered(id)] });

  it('given a transaction that appends, then the listener hears its events only after COMMIT', async () => {
    let heardBeforeCommit = -1;
    const result = await db.dataSource.transaction(async (manager) => {
      const appended = await append(manager);
      const second = await append(manager);
      heardBeforeCommit = heard.length;
      return [...appended.envelopes, ...second.envelopes];
    });
    expect(heardBeforeCommit).toBe(0);
    expect(heard).toEqual([result]);
  });

  it('given a transaction that rolls back, then nothing is heard', async () => {
    await expect(
      db.dataSource.transaction(async (manager) => {
        await append(manager);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(heard).toEqual([]);
  });

  it('given a savepoint that rolls back inside a committed transaction, then only the events outside it are heard', async () => {
    const kept = await db.dataSource.transaction(async (manager) => {
      const outer = await append(manager);
      await expect(
        manager.transaction(async (inner) => {
          await append(inner);
          throw new Error('inner abort');
        }),
      ).rejects.toThrow('inner abort');
      return outer.envelopes;
    });
    expect(heard).toEqual([kept]);
    const stored = (await db.dataSource.query(
      'SELECT count(*)::int AS n FROM events WHERE event_id = ANY($1::uuid[])',
      [heard.flat().map((e) => e.id)],
    )) as Array<{ n: number }>;
    expect(stored[0].n).toBe(1);
  });

  it('given an append outside a transaction (autocommit), then it is heard at once', async () => {
    const result = await append(db.dataSource.manager);
    expect(heard).toEqual([result.envelopes]);
  });

  it('given a listener that throws, then the command still succeeds and the other listeners still hear', async () => {
    const off = store.committed.onCommitted(() => {
      throw new Error('listener bug');
    });
    try {
      const id = randomUUID();
      const result = await store.append({
        stream: { type: 'user', id },
        expectedVersion: 0,
        events: [userRegistered(id)],
      });
      expect(heard).toEqual([result.envelopes]);
    } finally {
      off();
    }
  });
});

describe('CommittedEvents with several stores on one DataSource', () => {
  it('each store hears of its own events, whatever the others do', async () => {
    const db = await createTestDatabase(eventStoreMigrations);
    try {
      const first = new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC });
      const second = new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC });
      const heardByFirst: string[] = [];
      const heardBySecond: string[] = [];
      first.committed.onCommitted((e) => heardByFirst.push(...e.map((x) => x.aggregateId)));
      const off = second.committed.onCommitted((e) => heardBySecond.push(...e.map((x) => x.aggregateId)));
      const a = randomUUID();
      const b = randomUUID();
      await first.append({ stream: { type: 'user', id: a }, expectedVersion: 0, events: [userRegistered(a)] });
      await second.append({ stream: { type: 'user', id: b }, expectedVersion: 0, events: [userRegistered(b)] });
      off(); // a store without listeners must not swallow the other's events
      const c = randomUUID();
      await first.append({ stream: { type: 'user', id: c }, expectedVersion: 0, events: [userRegistered(c)] });
      expect([heardByFirst, heardBySecond]).toEqual([[a, c], [b]]);
    } finally {
      await db.drop();
    }
  });
});

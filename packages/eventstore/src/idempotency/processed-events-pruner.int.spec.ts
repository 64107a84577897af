import { randomUUID } from 'node:crypto';
import { createTestDatabase, waitFor, type TestDatabase } from '@latchkey/testing';
import { eventStoreMigrations } from '../migrations';
import { PgIdempotencyStore } from './pg-idempotency-store';
import {
  DEFAULT_PROCESSED_EVENTS_RETENTION_MS,
  ProcessedEventsPruner,
  pruneProcessedEvents,
} from './processed-events-pruner';

const DAY_MS = 86_400_000;

describe('pruning processed_events (real PostgreSQL)', () => {
  let db: TestDatabase;
  const now = new Date('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations);
  });
  afterAll(() => db.drop());
  beforeEach(() => db.dataSource.query('DELETE FROM processed_events'));

  /** Rows recorded `daysAgo` days before `now`, for `consumer`; returns their event ids. */
  async function recorded(daysAgo: number, count: number, consumer = 'reactions'): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await db.dataSource.query(
      `INSERT INTO processed_events (consumer, event_id, processed_at) SELECT $1, unnest($2::uuid[]), $3`,
      [consumer, ids, new Date(now.getTime() - daysAgo * DAY_MS)],
    );
    return ids;
  }
  const remaining = async () =>
    (
      (await db.dataSource.query('SELECT event_id FROM processed_events ORDER BY event_id')) as Array<{
        event_id: string;
      }>
    ).map((r) => r.event_id);

  it('deletes the rows recorded before the cut-off, of every consumer, in batches, and keeps the recent ones', async () => {
    const old = [...(await recorded(45, 5)), ...(await recorded(31, 2, 'projection'))];
    const recent = [...(await recorded(29, 3)), ...(await recorded(0, 2, 'projection'))];
    const deleted = await pruneProcessedEvents(db.dataSource, {
      olderThan: new Date(now.getTime() - 30 * DAY_MS),
      batchSize: 2,
    });
    expect(deleted).toBe(old.length);
    expect(await remaining()).toEqual([...recent].sort());
  });

  it('a pruned event id is still recorded anew when it is handled again; a kept one is still a duplicate', async () => {
    const [old] = await recorded(40, 1);
    const [kept] = await recorded(1, 1);
    await new ProcessedEventsPruner(db.dataSource, { clock: () => now }).pruneNow();
    const store = new PgIdempotencyStore(db.dataSource, 'reactions');
    expect(await store.runOnce(kept, async () => undefined)).toBe('duplicate');
    expect(await store.runOnce(old, async () => undefined)).toBe('handled');
  });

  it('the pruner keeps 30 days by default, runs on its interval until stopped, and reports each run', async () => {
    expect(DEFAULT_PROCESSED_EVENTS_RETENTION_MS).toBe(30 * DAY_MS);
    await recorded(30.01, 3);
    const recent = await recorded(29.99, 2);
    const runs: number[] = [];
    const pruner = new ProcessedEventsPruner(db.dataSource, {
      clock: () => now,
      intervalMs: 20,
      onPruned: (n) => runs.push(n),
      onError: (err) => {
        throw err;
      },
    });
    pruner.start();
    await waitFor(() => runs.length >= 2, { what: 'two pruning runs' });
    await pruner.stop();
    expect(runs[0]).toBe(3);
    expect(runs.slice(1).every((n) => n === 0)).toBe(true);
    expect(await remaining()).toEqual([...recent].sort());
    const after = runs.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toHaveLength(after); // stopped
  });

  it('takes a shorter retention when configured, and refuses a meaningless one', async () => {
    await recorded(2, 1);
    const [kept] = await recorded(0.5, 1);
    expect(await new ProcessedEventsPruner(db.dataSource, { clock: () => now, retentionMs: DAY_MS }).pruneNow()).toBe(
      1,
    );
    expect(await remaining()).toEqual([kept]);
    expect(() => new ProcessedEventsPruner(db.dataSource, { retentionMs: 0 })).toThrow(RangeError);
  });
});

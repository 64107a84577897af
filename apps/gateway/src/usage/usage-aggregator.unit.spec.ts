import { randomUUID } from 'node:crypto';
import { TOKENS_USED_MAX_ENTRIES, validateEvent, type TokenUsageEntry } from '@latchkey/contracts';
import { UsageAggregator, type UsageAggregatorOptions } from './usage-aggregator';

const T0 = Date.parse('2025-01-15T10:00:00.000Z');

function setup(options: Partial<UsageAggregatorOptions> = {}) {
  let now = T0;
  const clock = { now: () => now };
  const batches: TokenUsageEntry[][] = [];
  let failNext = 0;
  const aggregator = new UsageAggregator({
    clock,
    publish: async (entries) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('broker down');
      }
      batches.push(entries);
    },
    ...options,
  });
  return {
    aggregator,
    batches,
    advance: (ms: number) => void (now += ms),
    failNextPublishes: (n: number) => void (failNext = n),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Validation errors of a TokensUsed event carrying `entries`, against the contract (empty: valid). */
function contractErrors(entries: TokenUsageEntry[] | undefined): string[] {
  const result = validateEvent({
    id: randomUUID(),
    type: 'TokensUsed',
    schemaVersion: 1,
    source: 'gateway',
    aggregateType: 'token-usage',
    aggregateId: entries?.[0]?.tokenId,
    aggregateVersion: 1,
    occurredAt: new Date(T0).toISOString(),
    data: { entries },
  });
  return result.ok ? [] : result.errors;
}

describe('UsageAggregator', () => {
  afterEach(() => jest.useRealTimers());

  it('publishes one entry per token per flush with summed counts and the latest use', async () => {
    const { aggregator, batches, advance } = setup();
    aggregator.record('tok-a');
    advance(1500);
    aggregator.record('tok-b');
    aggregator.record('tok-a');
    advance(10);
    aggregator.record('tok-a');
    expect(aggregator.pendingTokens).toBe(2);

    await expect(aggregator.flush()).resolves.toEqual({ published: 2, failed: 0 });
    expect(batches).toEqual([
      [
        { tokenId: 'tok-a', lastUsedAt: iso(T0 + 1510), count: 3 },
        { tokenId: 'tok-b', lastUsedAt: iso(T0 + 1500), count: 1 },
      ],
    ]);
    expect(contractErrors(batches[0])).toEqual([]);
    expect(aggregator.pendingTokens).toBe(0);

    // nothing recorded: nothing published
    await expect(aggregator.flush()).resolves.toEqual({ published: 0, failed: 0 });
    expect(batches).toHaveLength(1);
  });

  it('keeps the latest lastUsedAt when uses are recorded out of order', async () => {
    const { aggregator, batches } = setup();
    aggregator.record('tok', T0 + 500);
    aggregator.record('tok', T0 + 100);
    await aggregator.flush();
    expect(batches[0]).toEqual([{ tokenId: 'tok', lastUsedAt: iso(T0 + 500), count: 2 }]);
  });

  it('splits batches at the maximum, each token once', async () => {
    const { aggregator, batches } = setup({ maxEntriesPerEvent: 3 });
    for (let i = 0; i < 7; i++) aggregator.record(`tok-${i}`);
    aggregator.record('tok-0');
    await expect(aggregator.flush()).resolves.toEqual({ published: 7, failed: 0 });
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    const ids = batches.flat().map((e) => e.tokenId);
    expect(new Set(ids).size).toBe(7);
    expect(batches[0]?.[0]).toEqual({ tokenId: 'tok-0', lastUsedAt: iso(T0), count: 2 });
  });

  it('defaults to the contract maximum and refuses a larger one', async () => {
    const { aggregator, batches } = setup();
    for (let i = 0; i < TOKENS_USED_MAX_ENTRIES + 1; i++) aggregator.record(`tok-${i}`);
    await aggregator.flush();
    expect(batches.map((b) => b.length)).toEqual([TOKENS_USED_MAX_ENTRIES, 1]);
    expect(contractErrors(batches[0])).toEqual([]);
    expect(contractErrors([{ tokenId: 'a', lastUsedAt: 'yesterday', count: 0 }])).not.toEqual([]); // the check is not vacuous
    expect(() => setup({ maxEntriesPerEvent: TOKENS_USED_MAX_ENTRIES + 1 })).toThrow(RangeError);
    expect(() => setup({ maxEntriesPerEvent: 0 })).toThrow(RangeError);
  });

  it('merges a failed batch back (max lastUsedAt, summed count) and publishes it next time', async () => {
    const errors: number[] = [];
    const { aggregator, batches, advance, failNextPublishes } = setup({
      maxEntriesPerEvent: 2,
      onPublishError: (_e, n) => errors.push(n),
    });
    aggregator.record('a');
    aggregator.record('a');
    aggregator.record('b');
    advance(100);
    aggregator.record('c');
    failNextPublishes(1); // the first batch [a, b] fails, [c] goes through
    await expect(aggregator.flush()).resolves.toEqual({ published: 1, failed: 2 });
    expect(errors).toEqual([2]);
    expect(batches).toEqual([[{ tokenId: 'c', lastUsedAt: iso(T0 + 100), count: 1 }]]);
    expect(aggregator.pendingTokens).toBe(2);

    advance(200);
    aggregator.record('a'); // newer use of a failed token
    aggregator.record('a', T0 - 50); // an older one: does not move lastUsedAt back
    await expect(aggregator.flush()).resolves.toEqual({ published: 2, failed: 0 });
    expect(batches[1]).toEqual([
      { tokenId: 'a', lastUsedAt: iso(T0 + 300), count: 4 },
      { tokenId: 'b', lastUsedAt: iso(T0), count: 1 },
    ]);
    expect(aggregator.pendingTokens).toBe(0);
  });

  it('merge-back keeps the later lastUsedAt over an older use recorded meanwhile', async () => {
    let release: () => void = () => undefined;
    const published: TokenUsageEntry[][] = [];
    let calls = 0;
    let now = T0;
    const aggregator = new UsageAggregator({
      clock: { now: () => now },
      publish: async (entries) => {
        calls++;
        if (calls === 1) {
          await new Promise<void>((r) => (release = r));
          throw new Error('timeout');
        }
        published.push(entries);
      },
    });
    aggregator.record('a', T0 + 1000);
    const first = aggregator.flush();
    await Promise.resolve();
    aggregator.record('a', T0 + 10); // recorded while the first flush is in flight, with an older time
    now = T0 + 20;
    release();
    await first;
    await aggregator.flush();
    expect(published).toEqual([[{ tokenId: 'a', lastUsedAt: iso(T0 + 1000), count: 2 }]]);
  });

  it('never overlaps flushes: a token recorded during a flush goes out in the next one', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const aggregator = new UsageAggregator({
      clock: { now: () => T0 },
      publish: async (entries) => {
        order.push(`start ${entries.map((e) => `${e.tokenId}x${e.count}`).join(',')}`);
        if (order.length === 1) await new Promise<void>((r) => (release = r));
        order.push('end');
      },
    });
    aggregator.record('a');
    const first = aggregator.flush();
    await Promise.resolve();
    aggregator.record('a');
    aggregator.record('b');
    const second = aggregator.flush();
    await Promise.resolve();
    expect(order).toEqual(['start ax1']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['start ax1', 'end', 'start ax1,bx1', 'end']);
  });

  it('drops ids the contract would refuse instead of poisoning a batch', async () => {
    const { aggregator, batches } = setup();
    aggregator.record('');
    aggregator.record('x'.repeat(201));
    aggregator.record('ok', NaN);
    aggregator.record('ok');
    await aggregator.flush();
    expect(batches).toEqual([[{ tokenId: 'ok', lastUsedAt: iso(T0), count: 1 }]]);
  });

  it("flushes on its unref'd interval and once more on stop", async () => {
    jest.useFakeTimers();
    const { aggregator, batches } = setup({ flushIntervalMs: 1000 });
    aggregator.start();
    aggregator.start(); // idempotent
    aggregator.record('a');
    await jest.advanceTimersByTimeAsync(999);
    expect(batches).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[{ tokenId: 'a', lastUsedAt: iso(T0), count: 1 }]]);

    aggregator.record('b');
    await expect(aggregator.stop()).resolves.toEqual({ published: 1, failed: 0 });
    expect(batches[1]).toEqual([{ tokenId: 'b', lastUsedAt: iso(T0), count: 1 }]);
    aggregator.record('c');
    await jest.advanceTimersByTimeAsync(5000);
    expect(batches).toHaveLength(2); // stopped: no more timed flushes
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stop reports entries it could not publish', async () => {
    const { aggregator, failNextPublishes } = setup();
    aggregator.record('a');
    failNextPublishes(1);
    await expect(aggregator.stop()).resolves.toEqual({ published: 0, failed: 1 });
    expect(aggregator.pendingTokens).toBe(1);
  });
});

// "Last used": the gateway aggregates uses per token in memory and publishes TokensUsed batches
// to token-usage.v1, at most one entry per token per flush interval. Merging is commutative
// (max lastUsedAt, sum count), which is what lets a failed batch be folded back into the next one.
import { ID_MAX_LENGTH, TOKENS_USED_MAX_ENTRIES, type TokenUsageEntry } from '@latchkey/contracts';

export interface UsageClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemUsageClock: UsageClock = { now: () => Date.now() };

/** Publishes one TokensUsed batch (1 … maxEntriesPerEvent entries, each token once). */
export type PublishUsage = (entries: TokenUsageEntry[]) => Promise<void>;

export interface UsageAggregatorOptions {
  publish: PublishUsage;
  /** Default 10 000. */
  flushIntervalMs?: number;
  /** Default TOKENS_USED_MAX_ENTRIES (the contract's maxItems); larger values are refused. */
  maxEntriesPerEvent?: number;
  clock?: UsageClock;
  /** A batch failed to publish; its entries are kept for the next flush. */
  onPublishError?: (error: unknown, entries: number) => void;
}

export interface FlushResult {
  /** Entries (tokens) published by this flush. */
  published: number;
  /** Entries whose batch failed; merged back for the next flush. */
  failed: number;
}

/** The largest time a Date can hold (ECMAScript: ±8.64e15 ms). */
const MAX_DATE_MS = 8.64e15;

interface Usage {
  lastUsedAt: number;
  count: number;
}

export class UsageAggregator {
  private pending = new Map<string, Usage>();
  private readonly publish: PublishUsage;
  private readonly flushIntervalMs: number;
  private readonly maxEntries: number;
  private readonly clock: UsageClock;
  private readonly onPublishError: (error: unknown, entries: number) => void;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<FlushResult> | undefined;

  constructor(options: UsageAggregatorOptions) {
    this.publish = options.publish;
    this.flushIntervalMs = options.flushIntervalMs ?? 10_000;
    this.maxEntries = options.maxEntriesPerEvent ?? TOKENS_USED_MAX_ENTRIES;
    this.clock = options.clock ?? systemUsageClock;
    this.onPublishError = options.onPublishError ?? (() => undefined);
    if (!(this.flushIntervalMs > 0)) throw new RangeError(`flushIntervalMs must be > 0, got ${this.flushIntervalMs}`);
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1 || this.maxEntries > TOKENS_USED_MAX_ENTRIES) {
      throw new RangeError(
        `maxEntriesPerEvent must be an integer in 1…${TOKENS_USED_MAX_ENTRIES}, got ${this.maxEntries}`,
      );
    }
  }

  /** Tokens with uses not yet published. */
  get pendingTokens(): number {
    return this.pending.size;
  }

  /**
   * Records one use (O(1)). An id the contract would refuse (empty, longer than ID_MAX_LENGTH) is
   * dropped here: it would make its whole batch fail validation on every retry. So is a time that
   * is no valid date.
   */
  record(tokenId: string, atMs: number = this.clock.now()): void {
    if (tokenId.length === 0 || tokenId.length > ID_MAX_LENGTH || !(Math.abs(atMs) <= MAX_DATE_MS)) return;
    const usage = this.pending.get(tokenId);
    if (usage === undefined) this.pending.set(tokenId, { lastUsedAt: atMs, count: 1 });
    else {
      usage.count++;
      if (atMs > usage.lastUsedAt) usage.lastUsedAt = atMs;
    }
  }

  /**
   * Drains everything recorded so far into batches of at most maxEntriesPerEvent and publishes
   * them one after another. A failed batch is merged back into the pending map (max lastUsedAt,
   * summed count), to be published by a later flush; never rejects. Flushes never overlap: a call
   * made while one runs starts after it, so no token is sent twice within one flush.
   */
  flush(): Promise<FlushResult> {
    const run = (this.inFlight ?? Promise.resolve()).then(() => this.drain());
    const tracked = run.finally(() => {
      if (this.inFlight === tracked) this.inFlight = undefined;
    });
    this.inFlight = tracked;
    return tracked;
  }

  /** Flushes every flushIntervalMs; the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      // A slow publish is not piled onto: the tick is skipped while the previous flush runs.
      if (this.inFlight === undefined) void this.flush();
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and flushes once more (after any flush in progress). */
  async stop(): Promise<FlushResult> {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return this.flush();
  }

  private async drain(): Promise<FlushResult> {
    if (this.pending.size === 0) return { published: 0, failed: 0 };
    const drained = this.pending;
    this.pending = new Map();
    const result: FlushResult = { published: 0, failed: 0 };
    let batch: TokenUsageEntry[] = [];
    for (const [tokenId, usage] of drained) {
      batch.push({ tokenId, lastUsedAt: new Date(usage.lastUsedAt).toISOString(), count: usage.count });
      if (batch.length === this.maxEntries) {
        await this.publishBatch(batch, drained, result);
        batch = [];
      }
    }
    if (batch.length > 0) await this.publishBatch(batch, drained, result);
    return result;
  }

  private async publishBatch(
    batch: TokenUsageEntry[],
    drained: Map<string, Usage>,
    result: FlushResult,
  ): Promise<void> {
    try {
      await this.publish(batch);
      result.published += batch.length;
    } catch (error) {
      result.failed += batch.length;
      for (const { tokenId } of batch) this.mergeBack(tokenId, drained.get(tokenId) as Usage);
      try {
        this.onPublishError(error, batch.length);
      } catch {
        // A failing error hook must not lose the rest of the flush.
      }
    }
  }

  private mergeBack(tokenId: string, usage: Usage): void {
    const newer = this.pending.get(tokenId);
    if (newer === undefined) this.pending.set(tokenId, { lastUsedAt: usage.lastUsedAt, count: usage.count });
    else {
      newer.count += usage.count;
      if (usage.lastUsedAt > newer.lastUsedAt) newer.lastUsedAt = usage.lastUsedAt;
    }
  }
}

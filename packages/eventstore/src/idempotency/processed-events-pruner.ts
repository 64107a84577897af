import type { DataSource } from 'typeorm';

const DAY_MS = 86_400_000;

/** How long `processed_events` remembers a handled event by default: 30 days. */
export const DEFAULT_PROCESSED_EVENTS_RETENTION_MS = 30 * DAY_MS;

export interface PruneProcessedEventsOptions {
  /** Rows recorded before this instant go. */
  olderThan: Date;
  /** Rows per DELETE statement (default 10,000), so no statement holds its locks for long. */
  batchSize?: number;
}

/**
 * Deletes the `processed_events` rows recorded before `olderThan`, a batch at a time; returns
 * how many went. A consumer only meets an event again when Kafka redelivers it, which — with
 * offsets committed every second — is within moments of its first delivery; a row older than the
 * retention protects only against a consumer group re-reading old offsets (see the pruner).
 */
export async function pruneProcessedEvents(
  dataSource: DataSource,
  options: PruneProcessedEventsOptions,
): Promise<number> {
  const batchSize = options.batchSize ?? 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be an integer ≥ 1`);
  let total = 0;
  for (;;) {
    const [, deleted] = (await dataSource.query(
      `DELETE FROM processed_events WHERE ctid IN (
         SELECT ctid FROM processed_events WHERE processed_at < $1 LIMIT $2)`,
      [options.olderThan, batchSize],
    )) as [unknown, number];
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

export interface ProcessedEventsPrunerOptions {
  /** Keep rows this long (default 30 days). */
  retentionMs?: number;
  /** How often to prune (default every hour; the first run is one interval after start). */
  intervalMs?: number;
  clock?: () => Date;
  onPruned?: (deleted: number) => void;
  onError?: (error: unknown) => void;
}

/**
 * Prunes `processed_events` periodically, so the idempotent consumers' record does not grow
 * forever. Its timer is unref'd (it never keeps a process alive); stop() waits for a run in hand.
 * Several instances on one database are harmless: they delete the same old rows.
 *
 * Safe as long as no consumer group re-reads messages older than the retention: a running group
 * commits its offsets every second, so a redelivery (restart, rebalance, a blocked message) goes
 * back moments, not days. A group that starts over from older offsets — an operator resetting
 * it, or Kafka expiring the offsets of a group that stayed empty longer than the broker's
 * `offsets.retention.minutes` (7 days by default) so it starts from the beginning again — handles
 * the events older than the retention a second time. Keep `offsets.retention.minutes` above the
 * retention, and never reset a group further back than the retention.
 */
export class ProcessedEventsPruner {
  private readonly retentionMs: number;
  private readonly intervalMs: number;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ProcessedEventsPrunerOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? DEFAULT_PROCESSED_EVENTS_RETENTION_MS;
    this.intervalMs = options.intervalMs ?? 3_600_000;
    this.clock = options.clock ?? (() => new Date());
    if (!(this.retentionMs > 0)) throw new RangeError(`retentionMs must be > 0, got ${this.retentionMs}`);
    if (!(this.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${this.intervalMs}`);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return; // the last run is still going: skip this tick
      this.pruneNow()
        .then((deleted) => this.options.onPruned?.(deleted))
        .catch((err: unknown) => this.options.onError?.(err));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer; resolves once a run in hand has finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One run now: deletes the rows older than the retention; returns how many went. */
  pruneNow(): Promise<number> {
    const olderThan = new Date(this.clock().getTime() - this.retentionMs);
    const run = pruneProcessedEvents(this.dataSource, { olderThan }).finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }
}

import type { DataSource } from 'typeorm';
import { RetentionPruner, type RetentionPrunerOptions } from '../retention/retention-pruner';

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

export type ProcessedEventsPrunerOptions = Partial<Omit<RetentionPrunerOptions, 'prune'>>;

/**
 * Prunes `processed_events` periodically (a RetentionPruner, default 30 days), so the idempotent
 * consumers' record does not grow forever.
 *
 * Safe as long as no consumer group re-reads messages older than the retention: a running group
 * commits its offsets every second, so a redelivery (restart, rebalance, a blocked message) goes
 * back moments, not days. A group that starts over from older offsets — an operator resetting
 * it, or Kafka expiring the offsets of a group that stayed empty longer than the broker's
 * `offsets.retention.minutes` (we set 60 days) so it starts from the beginning again — handles
 * the events older than the retention a second time; the reactions that matter guard against it
 * by aggregate version. Keep `offsets.retention.minutes` above the retention, and never reset a
 * group further back than the retention.
 */
export class ProcessedEventsPruner extends RetentionPruner {
  constructor(dataSource: DataSource, options: ProcessedEventsPrunerOptions = {}) {
    super({
      ...options,
      retentionMs: options.retentionMs ?? DEFAULT_PROCESSED_EVENTS_RETENTION_MS,
      prune: (olderThan) => pruneProcessedEvents(dataSource, { olderThan }),
    });
  }
}

/** Why a partition is stuck on a message (it is retried until it goes through, never skipped). */
export type BlockReason = 'handler-failing' | 'unsupported-version';

/** Reported when a partition blocks, and again while it stays blocked (see EventConsumerOptions.onBlocked). */
export interface BlockedInfo {
  topic: string;
  partition: number;
  offset: string;
  reason: BlockReason;
  eventId?: string;
  type?: string;
  attempt: number;
  error: string;
}

export interface UnblockedInfo {
  topic: string;
  partition: number;
  offset: string;
}

/** A partition stuck right now: on which message, why, since when, after how many attempts. */
export interface BlockedPartition {
  topic: string;
  partition: number;
  offset: string;
  reason: BlockReason;
  /** ISO-8601: the first failed attempt at this message. */
  since: string;
  attempts: number;
}

interface Entry extends BlockedPartition {
  eventId?: string;
  type?: string;
}

/**
 * The consumer's book of stuck partitions: counts the attempts at each one's message and says
 * which failures to report (the first, then every `reportEvery`-th), so a message that fails for
 * hours yields a steady trickle of reports rather than one per attempt.
 */
export class BlockedPartitions {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly reportEvery: number,
    private readonly clock: () => Date = () => new Date(),
  ) {
    if (!Number.isInteger(reportEvery) || reportEvery < 1)
      throw new RangeError(`reportEvery must be an integer ≥ 1, got ${reportEvery}`);
  }

  /** Records a failed attempt at the message; returns its attempt number and whether to report it. */
  failed(
    at: UnblockedInfo,
    failure: { reason: BlockReason; error: string; eventId?: string; type?: string },
  ): { info: BlockedInfo; report: boolean } {
    const key = keyOf(at);
    const previous = this.entries.get(key);
    const entry: Entry =
      previous && previous.offset === at.offset
        ? { ...previous, reason: failure.reason, attempts: previous.attempts + 1 }
        : {
            topic: at.topic,
            partition: at.partition,
            offset: at.offset,
            reason: failure.reason,
            since: this.clock().toISOString(),
            attempts: 1,
            ...(failure.eventId !== undefined ? { eventId: failure.eventId } : {}),
            ...(failure.type !== undefined ? { type: failure.type } : {}),
          };
    this.entries.set(key, entry);
    const info: BlockedInfo = {
      topic: entry.topic,
      partition: entry.partition,
      offset: entry.offset,
      reason: entry.reason,
      ...(entry.eventId !== undefined ? { eventId: entry.eventId } : {}),
      ...(entry.type !== undefined ? { type: entry.type } : {}),
      attempt: entry.attempts,
      error: failure.error,
    };
    return { info, report: entry.attempts === 1 || entry.attempts % this.reportEvery === 0 };
  }

  /**
   * A message of the partition went through. If the partition was blocked, it is no longer:
   * returns the position it was stuck at (a later offset means another member got it through).
   */
  passed(topic: string, partition: number): UnblockedInfo | null {
    const key = keyOf({ topic, partition });
    const entry = this.entries.get(key);
    if (!entry) return null;
    this.entries.delete(key);
    return { topic: entry.topic, partition: entry.partition, offset: entry.offset };
  }

  /** Forgets a partition this consumer no longer reads (stopped, or assigned elsewhere). */
  forget(topic: string, partition: number): void {
    this.entries.delete(keyOf({ topic, partition }));
  }

  list(): BlockedPartition[] {
    return [...this.entries.values()].map(({ topic, partition, offset, reason, since, attempts }) => ({
      topic,
      partition,
      offset,
      reason,
      since,
      attempts,
    }));
  }

  /** The attempts made so far at the partition's current message (0 when it is not blocked). */
  attemptsAt(topic: string, partition: number): number {
    return this.entries.get(keyOf({ topic, partition }))?.attempts ?? 0;
  }

  clear(): void {
    this.entries.clear();
  }
}

function keyOf({ topic, partition }: { topic: string; partition: number }): string {
  return `${topic}\u0000${partition}`;
}

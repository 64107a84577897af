/** A partition stuck on an event its consumer cannot apply yet. */
export interface BlockedPartition {
  offset: string;
  reason: string;
}

/**
 * Where a verifier's consumer stands in each `topic:partition`, and the staleness policy built on
 * it (pure: the caller feeds it what Kafka says and the time).
 *
 * Stale: before the first catch-up; while any partition is blocked; and once any partition has gone
 * longer than the limit without progress — without a message applied, or without being found caught
 * up with its high-water mark when the marks are read. So both "Kafka unreachable" and "the broker
 * answers metadata but the consumer is stalled behind" trip it. Once stale it stays stale (latched)
 * until every partition has caught up with the latest known high-water marks.
 */
export class PartitionProgress {
  /** The high-water marks seen at start: ready once every partition has reached them. */
  private readonly targets = new Map<string, number>();
  /** The next offset to apply, per partition. */
  private readonly positions = new Map<string, number>();
  private readonly latestMarks = new Map<string, number>();
  private readonly progressAt = new Map<string, number>();
  private readonly blockedPartitions = new Map<string, BlockedPartition>();
  private ready = false;
  private latched = false;
  private lastContact: number | null = null;

  /** The marks at start; returns whether that already means caught up (empty topics). */
  start(marks: ReadonlyMap<string, number>, now: number): boolean {
    for (const [key, high] of marks) {
      this.targets.set(key, high);
      this.latestMarks.set(key, high);
      this.progressAt.set(key, now);
    }
    this.lastContact = now;
    return this.checkReady();
  }

  /** A message at `offset` was done with; returns true when this made the verifier ready. */
  processed(key: string, offset: number, now: number): boolean {
    this.lastContact = now;
    this.progressAt.set(key, now);
    this.positions.set(key, offset + 1);
    return !this.ready && this.checkReady();
  }

  /** The high-water marks, read periodically. */
  marksRead(marks: ReadonlyMap<string, number>, now: number): void {
    this.lastContact = now;
    for (const [key, high] of marks) {
      this.latestMarks.set(key, high);
      // an answering broker is progress only for a partition that has nothing left to apply
      if ((this.positions.get(key) ?? 0) >= high) this.progressAt.set(key, now);
    }
  }

  blocked(key: string, info: BlockedPartition): void {
    this.blockedPartitions.set(key, info);
  }

  unblocked(key: string): void {
    this.blockedPartitions.delete(key);
  }

  get isReady(): boolean {
    return this.ready;
  }

  isStale(limitMs: number, now: number): boolean {
    if (!this.ready || this.lastContact === null) return true;
    if (this.blockedPartitions.size > 0) return (this.latched = true);
    for (const at of this.progressAt.values()) if (now - at > limitMs) return (this.latched = true);
    if (this.latched) {
      if (!this.caughtUpWith(this.latestMarks)) return true;
      this.latched = false;
    }
    return false;
  }

  /** Whether every partition has reached the given marks (e.g. ones read just now: read-your-writes). */
  caughtUpWith(marks: ReadonlyMap<string, number>): boolean {
    for (const [key, high] of marks) if ((this.positions.get(key) ?? 0) < high) return false;
    return true;
  }

  lag(): Record<string, number> {
    const lag: Record<string, number> = {};
    for (const [key, high] of this.latestMarks) lag[key] = Math.max(0, high - (this.positions.get(key) ?? 0));
    return lag;
  }

  offsets(): Record<string, { applied: number; highWaterMark: number }> {
    const out: Record<string, { applied: number; highWaterMark: number }> = {};
    for (const [key, high] of this.latestMarks)
      out[key] = { applied: this.positions.get(key) ?? 0, highWaterMark: high };
    return out;
  }

  blockedList(): Array<{ partition: string } & BlockedPartition> {
    return [...this.blockedPartitions].map(([partition, b]) => ({ partition, ...b }));
  }

  get lastContactAt(): number | null {
    return this.lastContact;
  }

  private checkReady(): boolean {
    if (!this.caughtUpWith(this.targets)) return false;
    this.ready = true;
    return true;
  }
}

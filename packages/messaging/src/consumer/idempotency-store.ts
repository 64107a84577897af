/**
 * Remembers which events a consumer has handled, so redelivery (at-least-once from the relay,
 * a rebalance, a restart before offsets were committed) never handles an event twice.
 *
 * `runOnce` must mark the event handled atomically with the work where it can: the PostgreSQL
 * store in packages/eventstore runs the work and the mark in one transaction and hands the
 * transaction to the work as `tx`.
 */
export interface IdempotencyStore<TTx = void> {
  runOnce(eventId: string, work: (tx: TTx) => Promise<void>): Promise<'handled' | 'duplicate'>;
}

/**
 * In-process store for consumers whose state lives in memory and is rebuilt from the log
 * (projections). It remembers the most recent `capacity` event ids; a redelivery older than
 * that window is handled again, so the handler must still be idempotent by nature.
 */
export class InMemoryIdempotencyStore implements IdempotencyStore<void> {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 1_000_000) {}

  async runOnce(eventId: string, work: () => Promise<void>): Promise<'handled' | 'duplicate'> {
    if (this.seen.has(eventId)) return 'duplicate';
    await work();
    this.seen.add(eventId);
    if (this.seen.size > this.capacity) {
      // Sets iterate in insertion order: drop the oldest.
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
    return 'handled';
  }

  has(eventId: string): boolean {
    return this.seen.has(eventId);
  }
}

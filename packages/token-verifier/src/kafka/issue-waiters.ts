/**
 * Requests waiting for a token the projection has not seen yet. A token used right after the
 * answer that created it usually reaches the projection through Kafka within milliseconds; a
 * short, bounded wait for its TokenIssued is cheaper and safer than asking token-service — it
 * costs nothing but a timer, so a flood of random tokens amplifies nothing (beyond `max`
 * waiters, or once the wait is up, the caller moves on).
 */
export class IssueWaiters {
  private readonly waiting = new Map<string, Set<(seen: boolean) => void>>();
  private count = 0;

  constructor(private readonly max: number) {}

  /** Resolves true once `issued(key)` is called within `timeoutMs`, false otherwise (or at once when full). */
  wait(key: string, timeoutMs: number): Promise<boolean> {
    if (timeoutMs <= 0 || this.count >= this.max) return Promise.resolve(false);
    return new Promise((resolve) => {
      let set = this.waiting.get(key);
      if (!set) this.waiting.set(key, (set = new Set()));
      const waiters = set;
      this.count++;
      const done = (seen: boolean) => {
        clearTimeout(timer);
        if (waiters.delete(done)) this.count--;
        if (waiters.size === 0 && this.waiting.get(key) === waiters) this.waiting.delete(key);
        resolve(seen);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.add(done);
    });
  }

  /** A TokenIssued with this key was applied: wakes its waiters. */
  issued(key: string): void {
    const waiters = this.waiting.get(key);
    if (!waiters) return;
    for (const done of [...waiters]) done(true);
  }

  get size(): number {
    return this.count;
  }
}

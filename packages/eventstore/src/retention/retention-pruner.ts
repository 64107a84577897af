export interface RetentionPrunerOptions {
  /** Keep what is younger than this. */
  retentionMs: number;
  /** How often to prune (default every hour; the first run is one interval after start). */
  intervalMs?: number;
  clock?: () => Date;
  /** Deletes what was recorded before `olderThan`; returns how many rows went. */
  prune: (olderThan: Date) => Promise<number>;
  onPruned?: (deleted: number) => void;
  onError?: (error: unknown) => void;
}

/**
 * Deletes what has outlived its retention, periodically: the one way every bounded table of
 * ours (processed_events, token-service's hashes of long-expired tokens, …) is kept bounded. Its
 * timer is unref'd (it never keeps a process alive); stop() waits for a run in hand; a tick that
 * finds the last run still going is skipped. Several instances on one database are harmless: they
 * delete the same old rows.
 */
export class RetentionPruner {
  private readonly intervalMs: number;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly options: RetentionPrunerOptions) {
    this.intervalMs = options.intervalMs ?? 3_600_000;
    this.clock = options.clock ?? (() => new Date());
    if (!(options.retentionMs > 0)) throw new RangeError(`retentionMs must be > 0, got ${options.retentionMs}`);
    if (!(this.intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${this.intervalMs}`);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
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

  /** One run now: deletes what is older than the retention; returns how many rows went. */
  pruneNow(): Promise<number> {
    const olderThan = new Date(this.clock().getTime() - this.options.retentionMs);
    const run = this.options.prune(olderThan).finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }
}

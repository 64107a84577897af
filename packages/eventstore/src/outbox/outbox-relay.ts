import type { DataSource } from 'typeorm';
import type { EventEnvelope } from '@latchkey/contracts';

/** Where the relay sends events: packages/messaging's EventProducer fits this port. */
export interface OutboxPublisher {
  publish(messages: Array<{ topic: string; key: string; envelope: EventEnvelope }>): Promise<void>;
}

export interface OutboxRelayOptions {
  /** Rows per batch (default 500). */
  batchSize?: number;
  /** Wait between polls when the outbox was empty (default 10 ms). */
  pollIntervalMs?: number;
  /** Wait between polls while another instance holds the relay lock (default 500 ms). */
  standbyIntervalMs?: number;
  /** Back-off after a failed publish: doubles from 100 ms up to this (default 5,000 ms). */
  maxBackoffMs?: number;
  /** Advisory lock key shared by every relay of one database (default: a fixed key). */
  lockKey?: number;
  onPublished?: (count: number) => void;
  onError?: (error: unknown, consecutiveFailures: number) => void;
}

interface OutboxRow {
  position: string;
  topic: string;
  message_key: string;
  envelope: EventEnvelope;
}

const DEFAULT_LOCK_KEY = 0x4c4b_0001; // 'LK' relay

/**
 * Publishes the outbox to Kafka.
 *
 * - Order: rows go out in position order and are deleted only after Kafka acknowledged them.
 *   Appends to one stream are serialised by the unique (stream_id, version), so a stream's rows
 *   commit in version order and leave in that order.
 * - Late commits: a row whose transaction commits after rows with a higher position is not
 *   skipped, because the relay keeps no high-water mark — it takes whatever is left in the table.
 * - Outages: a failed publish rolls back (rows stay), and the relay retries with back-off.
 * - Several instances: each pass runs under a transaction-scoped advisory lock, so one instance
 *   publishes at a time and the others stand by.
 * Delivery is at-least-once (a crash between ack and delete sends a batch again); consumers
 * dedupe on the event id.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly standbyIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly lockKey: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failures = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 10;
    this.standbyIntervalMs = options.standbyIntervalMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.lockKey = options.lockKey ?? DEFAULT_LOCK_KEY;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in hand. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /** Cuts the current wait short (e.g. right after a local append). */
  poke(): void {
    this.wake?.();
  }

  /**
   * One pass: publishes up to one batch. Returns the number published, or null when another
   * instance holds the lock.
   */
  async publishBatch(): Promise<number | null> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        this.lockKey,
      ])) as Array<{ locked: boolean }>;
      if (!locked) return null;
      const rows = (await manager.query(
        'SELECT position, topic, message_key, envelope FROM outbox ORDER BY position LIMIT $1',
        [this.batchSize],
      )) as OutboxRow[];
      if (rows.length === 0) return 0;
      await this.publisher.publish(rows.map((r) => ({ topic: r.topic, key: r.message_key, envelope: r.envelope })));
      await manager.query('DELETE FROM outbox WHERE position = ANY($1::bigint[])', [rows.map((r) => r.position)]);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      let wait: number;
      try {
        const published = await this.publishBatch();
        this.failures = 0;
        if (published === null) wait = this.standbyIntervalMs;
        else {
          if (published > 0) this.options.onPublished?.(published);
          wait = published === this.batchSize ? 0 : this.pollIntervalMs;
        }
      } catch (err) {
        this.failures++;
        this.options.onError?.(err, this.failures);
        wait = Math.min(this.maxBackoffMs, 100 * 2 ** Math.min(10, this.failures - 1));
      }
      if (wait > 0 && this.running) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** Rows still waiting (for health and metrics). */
  async pending(): Promise<number> {
    const [{ n }] = (await this.dataSource.query('SELECT count(*)::int AS n FROM outbox')) as Array<{ n: number }>;
    return n;
  }
}

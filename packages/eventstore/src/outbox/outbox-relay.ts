import type { DataSource, QueryRunner } from 'typeorm';
import type { EventEnvelope } from '@latchkey/contracts';
import { DEFAULT_MAX_MESSAGE_BYTES, messageBytes } from './message-size';

/** Where the relay sends events: packages/messaging's EventProducer fits this port. */
export interface OutboxPublisher {
  publish(messages: Array<{ topic: string; key: string; envelope: EventEnvelope }>): Promise<void>;
}

/** An outbox row moved to `outbox_parked` because it is too large for one Kafka message. */
export interface ParkedRow {
  position: string;
  eventId: string;
  type: string;
  topic: string;
  bytes: number;
  maxBytes: number;
  reason: 'too-large';
}

export interface OutboxRelayOptions {
  /** Rows per pass at most (default 500). */
  batchSize?: number;
  /**
   * Bytes per publish request at most, counting each message's key + value + headers (default
   * 900,000, below Kafka's default message.max.bytes of 1,048,588). A pass publishes the rows
   * that fit and leaves the rest to the next pass, which follows at once. A row larger than this
   * on its own is parked (see onParked). Keep it at least as high as the event store's
   * maxMessageBytes, which refuses larger events at append.
   */
  maxBatchBytes?: number;
  /**
   * The fallback poll when the outbox was empty (default 1 s). This process's own commits do
   * not wait for it: `poke()` (called by the service runtime the moment a transaction that wrote
   * outbox rows commits) starts a pass at once. The poll only picks up rows written by other
   * processes (another instance, the operator CLI) or left behind by a crash.
   */
  pollIntervalMs?: number;
  /** Wait between polls while another instance holds the relay lock (default 500 ms; 5 ms after a poke). */
  standbyIntervalMs?: number;
  /** Back-off after a failed publish: doubles from 100 ms up to this (default 5,000 ms). */
  maxBackoffMs?: number;
  /** Advisory lock key shared by every relay of one database (default: a fixed key). */
  lockKey?: number;
  onPublished?: (count: number) => void;
  /**
   * A publish failed (`consecutiveFailures` ≥ 1: passes failed in a row, the relay retries with
   * back-off), or a row was parked (an OutboxRowParkedError, `consecutiveFailures` 0: the pass
   * went on).
   */
  onError?: (error: unknown, consecutiveFailures: number) => void;
  /** A row too large for one Kafka message was moved to `outbox_parked` (after the pass committed). */
  onParked?: (row: ParkedRow) => void;
}

/** Reported through onError when a row is parked; says where it is, never what it holds. */
export class OutboxRowParkedError extends Error {
  readonly code = 'EVENTSTORE_OUTBOX_ROW_PARKED';
  override readonly name = 'OutboxRowParkedError';

  constructor(readonly row: ParkedRow) {
    super(
      `outbox row ${row.position} (${row.type} ${row.eventId} for ${row.topic}) is ${row.bytes} bytes, ` +
        `more than one Kafka message may hold (${row.maxBytes}); moved to outbox_parked, the rows after it go on`,
    );
  }
}

interface OutboxRow {
  position: string;
  event_id: string;
  topic: string;
  message_key: string;
  envelope: EventEnvelope;
  /** Rows in the head of the outbox this pass looked at (≤ batchSize), the unread ones included. */
  head_rows: string;
  /** The Kafka message's size as recorded at append; null for rows written otherwise. */
  message_bytes: number | null;
}

/** The relay connection's own pg client: a simple query (no parameters) may hold several statements. */
interface SimpleQueryClient {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** A row's position, checked to be digits before it is written into a statement. */
function position(row: OutboxRow): string {
  const p = String(row.position);
  if (!/^[0-9]{1,19}$/.test(p)) throw new Error(`outbox position ${JSON.stringify(p)} is not a bigint`);
  return p;
}

const STANDBY_AFTER_POKE_MS = 5;
const NOTHING = Object.freeze({ published: 0, parked: [] as ParkedRow[], more: false });
const DEFAULT_LOCK_KEY = 0x4c4b_0001; // 'LK' relay

/** What one pass did. */
interface Pass {
  published: number;
  parked: ParkedRow[];
  /** Rows were left for the next pass (the batch was full by count or bytes). */
  more: boolean;
}

/**
 * Publishes the outbox to Kafka.
 *
 * - Order: rows go out in position order and are deleted only after Kafka acknowledged them.
 *   Appends to one stream are serialised by the unique (stream_id, version), so a stream's rows
 *   commit in version order and leave in that order.
 * - Late commits: a row whose transaction commits after rows with a higher position is not
 *   skipped, because the relay keeps no high-water mark — it takes whatever is left in the table.
 * - Size: one pass sends one request of at most `maxBatchBytes`; a row that can never fit is
 *   moved to `outbox_parked` in the pass's transaction and reported, so it cannot hold up the
 *   rows behind it. Its event stays in `events`.
 * - Outages: a failed publish rolls back (rows stay), and the relay retries with back-off.
 * - Several instances: each pass runs under a transaction-scoped advisory lock, so one instance
 *   publishes at a time and the others stand by.
 * Delivery is at-least-once (a crash between ack and delete sends a batch again); consumers
 * dedupe on the event id.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly maxBatchBytes: number;
  private readonly pollIntervalMs: number;
  private readonly standbyIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly lockKey: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** A poke came since the current pass began: its rows may have missed the pass's SELECT. */
  private poked = false;
  private runner: QueryRunner | null = null;
  private failures = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.standbyIntervalMs = options.standbyIntervalMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.lockKey = options.lockKey ?? DEFAULT_LOCK_KEY;
    for (const [name, value] of Object.entries({
      lockKey: this.lockKey,
      batchSize: this.batchSize,
      maxBatchBytes: this.maxBatchBytes,
    }))
      if (!Number.isSafeInteger(value) || (name !== 'lockKey' && value < 1))
        throw new RangeError(`OutboxRelay: ${name} must be ${name === 'lockKey' ? 'an' : 'a positive'} integer`);
    this.nextRowsSql = `SELECT position, event_id, topic, message_key, envelope, head_rows, message_bytes FROM (
         SELECT position, event_id, topic, message_key, envelope, message_bytes, count(*) OVER () AS head_rows,
                sum(bytes) OVER (ORDER BY position) - bytes AS before
           FROM (SELECT position, event_id, topic, message_key, envelope, message_bytes,
                        COALESCE(message_bytes, octet_length(envelope::text)) AS bytes
                   FROM outbox ORDER BY position LIMIT ${this.batchSize}) AS head
       ) AS sized
       WHERE before < ${this.maxBatchBytes} ORDER BY position`;
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
    await this.releaseConnection();
  }

  /**
   * Rows were just committed: publish them now. Cuts the current wait short, or — when a pass is
   * under way, whose SELECT may have run before the commit — makes the next pass follow at once.
   */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /**
   * One pass: publishes up to one batch (and parks rows too large to publish). Returns the
   * number published, or null when another instance holds the lock.
   */
  async publishBatch(): Promise<number | null> {
    const pass = await this.pass(false);
    return pass === null ? null : pass.published;
  }

  /**
   * One pass in two round trips to PostgreSQL: `BEGIN`, the lock and the SELECT as one simple
   * query, then — after Kafka acknowledged — the DELETE and `COMMIT` as another. (Through
   * TypeORM's transaction it was five, each waiting for the one before.) Only numbers the relay
   * checked itself are written into these statements.
   */
  private async pass(rowsKnown: boolean): Promise<Pass | null> {
    // an empty outbox (the idle case) costs one cheap statement, not a transaction; after a poke
    // or a full batch rows are known to be there, so the pass goes straight to them
    if (!rowsKnown && !(await this.anyRows())) return NOTHING;
    const pass = await this.withConnection(async (runner) => {
      const client = (await runner.connect()) as SimpleQueryClient;
      const [, lock, head] = (await client.query(
        `BEGIN; SELECT pg_try_advisory_xact_lock(${this.lockKey}) AS locked; ${this.nextRowsSql}`,
      )) as Array<{ rows: unknown[] }>;
      if (!(lock.rows[0] as { locked: boolean }).locked) {
        await client.query('ROLLBACK');
        return null;
      }
      const rows = head.rows as OutboxRow[];
      if (rows.length === 0) {
        await client.query('COMMIT');
        return { published: 0, parked: [], more: false };
      }

      const batch: OutboxRow[] = [];
      const tooLarge: Array<{ row: OutboxRow; bytes: number }> = [];
      let bytes = 0;
      const headRows = Number(rows[0].head_rows);
      let full = headRows === this.batchSize || headRows > rows.length;
      for (const row of rows) {
        // recorded at append: no need to serialize every envelope again to size the request
        const size = row.message_bytes ?? messageBytes(row.message_key, row.envelope);
        if (size > this.maxBatchBytes) {
          tooLarge.push({ row, bytes: size });
          continue;
        }
        if (bytes + size > this.maxBatchBytes) {
          full = true;
          break;
        }
        batch.push(row);
        bytes += size;
      }
      const parked = await this.park(client, tooLarge);
      if (batch.length > 0) {
        await this.publisher.publish(batch.map((r) => ({ topic: r.topic, key: r.message_key, envelope: r.envelope })));
        await client.query(`DELETE FROM outbox WHERE position IN (${batch.map((r) => position(r)).join(',')}); COMMIT`);
      } else await client.query('COMMIT');
      return { published: batch.length, parked, more: full || parked.length > 0 };
    });
    for (const row of pass?.parked ?? []) {
      this.options.onParked?.(row);
      this.options.onError?.(new OutboxRowParkedError(row), 0);
    }
    return pass;
  }

  /**
   * The next rows in position order, up to batchSize, and only as many as can fit in one request:
   * a row is read only if the rows before it add up to less than maxBatchBytes (sizes from
   * `message_bytes`, measured at append; the JSON's length for rows written otherwise). The
   * first row is always read, so a pass always publishes or parks something. Written once, with
   * the relay's own (checked) numbers, so it can share a simple query with BEGIN.
   */
  private readonly nextRowsSql: string;

  /** Moves rows too large for one Kafka message to outbox_parked, in the pass's transaction. */
  private async park(client: SimpleQueryClient, rows: Array<{ row: OutboxRow; bytes: number }>): Promise<ParkedRow[]> {
    if (rows.length === 0) return [];
    await client.query(
      `WITH moved AS (DELETE FROM outbox WHERE position = ANY($1::bigint[]) RETURNING *)
       INSERT INTO outbox_parked (position, event_id, topic, message_key, envelope, message_bytes, reason, queued_at)
       SELECT m.position, m.event_id, m.topic, m.message_key, m.envelope, s.bytes, 'too-large', m.created_at
         FROM moved m JOIN unnest($1::bigint[], $2::int[]) AS s (position, bytes) ON s.position = m.position`,
      [rows.map((r) => r.row.position), rows.map((r) => r.bytes)],
    );
    return rows.map(({ row, bytes }) => ({
      position: String(row.position),
      eventId: row.event_id,
      type: row.envelope.type,
      topic: row.topic,
      bytes,
      maxBytes: this.maxBatchBytes,
      reason: 'too-large',
    }));
  }

  private async run(): Promise<void> {
    let rowsLeft = false; // the last pass left rows (a full batch): the next needs no emptiness check
    while (this.running) {
      let wait: number;
      const rowsKnown = this.poked || rowsLeft;
      this.poked = false;
      rowsLeft = false;
      try {
        const pass = await this.pass(rowsKnown);
        this.failures = 0;
        // another instance holds the lock: it may have read before our commit, so after a poke
        // try again shortly rather than at the standby interval
        if (pass === null) wait = this.poked ? STANDBY_AFTER_POKE_MS : this.standbyIntervalMs;
        else {
          if (pass.published > 0) this.options.onPublished?.(pass.published);
          rowsLeft = pass.more;
          wait = pass.more || this.poked ? 0 : this.pollIntervalMs;
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
      if (this.poked) return resolve(); // rows committed since the pass began: no waiting
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

  /**
   * The relay's own connection, held for its lifetime: its passes never queue in the pool behind
   * the service's requests (under load they did, for hundreds of milliseconds). A failure drops the
   * connection; the next pass opens a new one.
   */
  private async withConnection<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    if (!this.runner || this.runner.isReleased) {
      this.runner = this.dataSource.createQueryRunner();
      await this.runner.connect();
    }
    try {
      return await work(this.runner);
    } catch (err) {
      await this.releaseConnection(err);
      throw err;
    }
  }

  /**
   * After a failure the connection is closed, not returned to the pool: it may be broken or inside
   * the pass's transaction (PostgreSQL rolls that back when the connection goes).
   */
  private async releaseConnection(failure?: unknown): Promise<void> {
    const runner = this.runner as (QueryRunner & { releasePostgresConnection?(err: unknown): Promise<void> }) | null;
    this.runner = null;
    if (!runner) return;
    const close =
      failure !== undefined && runner.releasePostgresConnection
        ? runner.releasePostgresConnection(failure instanceof Error ? failure : new Error(String(failure)))
        : runner.release();
    await close.catch(() => undefined);
  }

  private async anyRows(): Promise<boolean> {
    const rows = (await this.withConnection((runner) => runner.query('SELECT 1 FROM outbox LIMIT 1'))) as unknown[];
    return rows.length > 0;
  }

  /** Rows still waiting (for health and metrics). */
  async pending(): Promise<number> {
    const [{ n }] = (await this.dataSource.query('SELECT count(*)::int AS n FROM outbox')) as Array<{ n: number }>;
    return n;
  }

  /** Rows parked as too large (for health and metrics: anything above 0 needs an operator). */
  async parked(): Promise<number> {
    const [{ n }] = (await this.dataSource.query('SELECT count(*)::int AS n FROM outbox_parked')) as Array<{
      n: number;
    }>;
    return n;
  }
}

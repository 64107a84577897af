import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { assertValidEvent, latestSchemaVersion, upcast, type EventEnvelope } from '@latchkey/contracts';
import { DEFAULT_MAX_MESSAGE_BYTES, messageBytes } from '../outbox/message-size';
import { CommittedEvents } from './committed-events';
import { ConcurrencyError, EventTooLargeError, isUniqueViolation } from './errors';
import type { Snapshot } from './snapshots';
import type { AppendRequest, AppendResult, DomainEvent, StoredEvent } from './types';

export interface EventStoreOptions {
  /** The producing service, set as the envelope's `source`. */
  source: string;
  /** The service's topic (one per producing service; see docs/architecture.md). */
  topic: string;
  /** Checks an envelope before it is stored; default: the contracts' JSON Schema validation. */
  validate?: (envelope: EventEnvelope) => void;
  /**
   * The largest Kafka message (key + value + headers) one event may become; a larger one is
   * refused at append (EventTooLargeError), never stored. Default 900,000 bytes, the outbox
   * relay's default maxBatchBytes: keep the relay's limit at least this high.
   */
  maxMessageBytes?: number;
  clock?: () => Date;
}

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_type: string;
  version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * Append-only event store with a transactional outbox on PostgreSQL.
 *
 * `append` inserts the events with a unique (stream_id, version): two writers at the same
 * expected version cannot both succeed, and the loser gets a ConcurrencyError. The same
 * statement batch writes the outbox rows, so an event is published if and only if it committed.
 */
export class PgEventStore {
  private readonly validate: (envelope: EventEnvelope) => void;
  private readonly clock: () => Date;
  /** This process's own events, as soon as their transaction commits (see CommittedEvents). */
  readonly committed: CommittedEvents;

  constructor(
    readonly dataSource: DataSource,
    private readonly options: EventStoreOptions,
  ) {
    this.validate = options.validate ?? ((e) => void assertValidEvent(e));
    this.clock = options.clock ?? (() => new Date());
    this.committed = new CommittedEvents(dataSource);
  }

  /** Appends in a transaction of its own. */
  append(request: AppendRequest): Promise<AppendResult> {
    return this.dataSource.transaction((manager) => this.appendIn(manager, request));
  }

  /** Appends inside the caller's transaction (so read models can change in the same one). */
  async appendIn(manager: EntityManager, request: AppendRequest): Promise<AppendResult> {
    const { stream, expectedVersion, events } = request;
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new RangeError(`expectedVersion must be an integer ≥ 0, got ${expectedVersion}`);
    }
    if (events.length === 0) return { version: expectedVersion, envelopes: [] };

    const occurredAt = this.clock().toISOString();
    const envelopes = events.map((event, i) => this.envelope(request, event, expectedVersion + i + 1, occurredAt));
    for (const envelope of envelopes) this.validate(envelope);
    const json = envelopes.map((e) => JSON.stringify(e));
    const sizes = envelopes.map((e, i) => messageBytes(e.aggregateId, e, json[i]));
    const maxBytes = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    sizes.forEach((bytes, i) => {
      if (bytes > maxBytes) throw new EventTooLargeError(envelopes[i].type, bytes, maxBytes);
    });

    const metadata = JSON.stringify(
      compact({ actor: request.actor, correlationId: request.correlationId, causationId: request.causationId }),
    );
    const eventParams: unknown[] = [];
    const eventValues: string[] = [];
    const outboxParams: unknown[] = [];
    const outboxValues: string[] = [];
    const topic = request.topic ?? this.options.topic;
    for (const [i, e] of envelopes.entries()) {
      const p = eventParams.length;
      eventParams.push(
        e.aggregateId,
        e.aggregateType,
        e.aggregateVersion,
        e.id,
        e.type,
        e.schemaVersion,
        JSON.stringify(e.data),
        metadata,
        e.occurredAt,
      );
      eventValues.push(
        `($${p + 1}::text, $${p + 2}::text, $${p + 3}::int, $${p + 4}::uuid, $${p + 5}::text, $${p + 6}::int, $${p + 7}::jsonb, $${p + 8}::jsonb, $${p + 9}::timestamptz)`,
      );
      const o = outboxParams.length;
      outboxParams.push(e.id, topic, e.aggregateId, json[i], sizes[i]);
      outboxValues.push(`($${o + 1}::uuid, $${o + 2}::text, $${o + 3}::text, $${o + 4}::jsonb, $${o + 5}::int)`);
    }
    // One statement, one round trip: the version check, the events and their outbox rows (a
    // data-modifying CTE). If the stream is not at the expected version nothing is inserted; if
    // a concurrent writer gets there between the check and the insert, the unique
    // (stream_id, version) refuses it. Either way: ConcurrencyError.
    const n = eventParams.length + outboxParams.length;
    const rows = (await manager
      .query(
        `WITH current AS (SELECT COALESCE(MAX(version), 0)::int AS version FROM events WHERE stream_id = $${n + 1}),
         appended AS (
           INSERT INTO events (stream_id, stream_type, version, event_id, type, schema_version, data, metadata, occurred_at)
           SELECT v.* FROM (VALUES ${eventValues.join(', ')}) AS v (stream_id, stream_type, version, event_id, type, schema_version, data, metadata, occurred_at)
           WHERE (SELECT version FROM current) = $${n + 2}
           RETURNING event_id
         ),
         queued AS (
         INSERT INTO outbox (event_id, topic, message_key, envelope, message_bytes)
         SELECT o.* FROM (VALUES ${outboxValues.map((row) => row.replace(/\$(\d+)/g, (_m, k: string) => `$${Number(k) + eventParams.length}`)).join(', ')}) AS o (event_id, topic, message_key, envelope, message_bytes)
         WHERE (SELECT version FROM current) = $${n + 2}
         RETURNING event_id
         )
         SELECT (SELECT version FROM current) AS current, (SELECT count(*) FROM queued)::int AS queued`,
        [...eventParams, ...outboxParams, stream.id, expectedVersion],
      )
      .catch((err: unknown) => {
        if (isUniqueViolation(err, 'events_stream_version_uq'))
          throw new ConcurrencyError(stream.id, expectedVersion, null);
        throw err;
      })) as Array<{ current: number; queued: number }>;
    if (rows[0].current !== expectedVersion || rows[0].queued !== envelopes.length)
      throw new ConcurrencyError(stream.id, expectedVersion, rows[0].current);
    this.committed.record(manager, envelopes);
    return { version: expectedVersion + envelopes.length, envelopes };
  }

  /** The stream's events in version order, upcast to their latest schema. */
  async load(streamId: string, manager: EntityManager = this.dataSource.manager): Promise<EventEnvelope[]> {
    return (await this.loadStored(streamId, manager)).map((s) => s.envelope);
  }

  async loadStored(streamId: string, manager: EntityManager = this.dataSource.manager): Promise<StoredEvent[]> {
    const rows = (await manager.query(
      `SELECT global_position, stream_id, stream_type, version, event_id, type, schema_version, data, metadata, occurred_at
         FROM events WHERE stream_id = $1 ORDER BY version`,
      [streamId],
    )) as EventRow[];
    return rows.map((row) => ({
      globalPosition: String(row.global_position),
      envelope: this.fromRow(row),
      metadata: row.metadata,
    }));
  }

  /**
   * The stream's latest snapshot under `name` (or null) and the events after it, upcast — in one
   * round trip. Without a snapshot this is the whole stream, as `load`.
   */
  async loadFromSnapshot(
    streamId: string,
    name: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ snapshot: Snapshot | null; events: EventEnvelope[] }> {
    const rows = (await manager.query(
      `SELECT s.version AS snapshot_version,
              CASE WHEN row_number() OVER (ORDER BY e.version) = 1 THEN s.state END AS snapshot_state,
              e.global_position, e.stream_id, e.stream_type, e.version, e.event_id, e.type, e.schema_version, e.data,
              e.metadata, e.occurred_at
         FROM (SELECT 1) AS one
         LEFT JOIN stream_snapshots s ON s.stream_id = $1 AND s.name = $2
         LEFT JOIN events e ON e.stream_id = $1 AND e.version > COALESCE(s.version, 0)
        ORDER BY e.version`,
      [streamId, name],
    )) as Array<EventRow & { snapshot_version: number | null; snapshot_state: unknown }>;
    const first = rows[0];
    const snapshot =
      first !== undefined && first.snapshot_version !== null
        ? { version: first.snapshot_version, state: first.snapshot_state }
        : null;
    const events = rows.filter((row) => row.event_id !== null).map((row) => this.fromRow(row));
    return { snapshot, events };
  }

  /**
   * Records the stream's state at `version` under `name`, inside the caller's transaction (the
   * one that appended up to `version`). An older snapshot never replaces a newer one.
   */
  async saveSnapshotIn(manager: EntityManager, streamId: string, name: string, snapshot: Snapshot): Promise<void> {
    await manager.query(
      `INSERT INTO stream_snapshots (stream_id, name, version, state) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (stream_id, name) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state, taken_at = now()
        WHERE stream_snapshots.version < EXCLUDED.version`,
      [streamId, name, snapshot.version, JSON.stringify(snapshot.state)],
    );
  }

  private fromRow(row: EventRow): EventEnvelope {
    const { correlationId, causationId } = row.metadata as { correlationId?: string; causationId?: string };
    return upcast({
      id: row.event_id,
      type: row.type,
      schemaVersion: row.schema_version,
      source: this.options.source,
      aggregateType: row.stream_type,
      aggregateId: row.stream_id,
      aggregateVersion: row.version,
      occurredAt: new Date(row.occurred_at).toISOString(),
      ...compact({ correlationId, causationId }),
      data: row.data,
    });
  }

  private envelope(request: AppendRequest, event: DomainEvent, version: number, occurredAt: string): EventEnvelope {
    return {
      id: randomUUID(),
      type: event.type,
      schemaVersion: event.schemaVersion ?? latestSchemaVersion(event.type) ?? 1,
      source: this.options.source,
      aggregateType: request.stream.type,
      aggregateId: request.stream.id,
      aggregateVersion: version,
      occurredAt,
      ...compact({ correlationId: request.correlationId, causationId: request.causationId }),
      data: event.data,
    };
  }
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

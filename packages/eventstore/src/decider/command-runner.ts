import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@latchkey/contracts';
import type { PgEventStore } from '../store/pg-event-store';
import { assertSnapshotPolicy, type SnapshotPolicy } from '../store/snapshots';
import type { DomainEvent, StreamRef } from '../store/types';
import { fold, type Decider } from './decider';

export interface RunCommandOptions<TState> {
  stream: StreamRef;
  correlationId?: string;
  causationId?: string;
  actor?: string;
  /**
   * Updates inline read models from the new events, inside the same transaction as the append:
   * a read model never shows what the event store does not hold, and the other way round.
   */
  project?: (manager: EntityManager, envelopes: EventEnvelope[], state: TState) => Promise<void>;
  /**
   * The stream is new (its id was just generated, nobody else knows it): skip the lock and the
   * load and decide on the initial state. If it exists after all, the append's version check
   * still refuses (ConcurrencyError).
   */
  newStream?: boolean;
  /**
   * Fold from the stream's latest snapshot under this policy's name (and write a new one every
   * `every` events) instead of from its first event: for aggregates whose streams grow long.
   * See store/snapshots.ts for what a state must be to be snapshotted.
   */
  snapshot?: SnapshotPolicy;
}

export interface CommandResult<TState> {
  state: TState;
  version: number;
  envelopes: EventEnvelope[];
}

/**
 * Loads a stream, decides, appends and projects in ONE transaction — the one way every service
 * runs a command.
 *
 * Concurrency: `runIn` first takes a transaction-scoped advisory lock on the stream
 * (`pg_advisory_xact_lock(hashtext(type), hashtext(id))`, held until COMMIT or ROLLBACK), then
 * loads it. Commands on one aggregate therefore queue instead of failing: the second one's load
 * runs after the first committed (READ COMMITTED takes a new snapshot per statement), so `decide`
 * always sees the state it acts on. The two-int lock form lives in another key space than the
 * outbox relay's one-bigint lock. The append's version check stays as the safety net for writers
 * that bypass the runner; its ConcurrencyError (EVENTSTORE_CONCURRENCY) is answered 409
 * `concurrent_modification` at the HTTP edge. A transaction that runs commands on several streams
 * must take them in a stable order (e.g. sorted ids), or two of them can deadlock.
 */
export class CommandRunner {
  constructor(private readonly store: PgEventStore) {}

  /** Runs the command in a transaction of its own. */
  run<TCommand, TState, TEvent extends DomainEvent>(
    decider: Decider<TCommand, TState, TEvent>,
    command: TCommand,
    options: RunCommandOptions<TState>,
  ): Promise<CommandResult<TState>> {
    return this.store.dataSource.transaction((manager) => this.runIn(manager, decider, command, options));
  }

  /** Runs inside the caller's transaction (the stream's lock is held until the caller commits). */
  async runIn<TCommand, TState, TEvent extends DomainEvent>(
    manager: EntityManager,
    decider: Decider<TCommand, TState, TEvent>,
    command: TCommand,
    options: RunCommandOptions<TState>,
  ): Promise<CommandResult<TState>> {
    const policy = options.snapshot;
    if (policy) assertSnapshotPolicy(policy);
    if (!options.newStream) await lockStream(manager, options.stream);
    const { snapshot, events: history } = options.newStream
      ? { snapshot: null, events: [] }
      : policy
        ? await this.store.loadFromSnapshot(options.stream.id, policy.name, manager)
        : { snapshot: null, events: await this.store.load(options.stream.id, manager) };
    const state = fold(decider, history as unknown as TEvent[], snapshot ? (snapshot.state as TState) : undefined);
    const events = decider.decide(command, state);
    const next = fold(decider, events, state);
    const { version, envelopes } = await this.store.appendIn(manager, {
      stream: options.stream,
      expectedVersion: history.length > 0 ? history[history.length - 1].aggregateVersion : (snapshot?.version ?? 0),
      events,
      correlationId: options.correlationId,
      causationId: options.causationId,
      actor: options.actor,
    });
    if (policy && envelopes.length > 0 && version - (snapshot?.version ?? 0) >= policy.every)
      await this.store.saveSnapshotIn(manager, options.stream.id, policy.name, { version, state: next });
    if (options.project && envelopes.length > 0) await options.project(manager, envelopes, next);
    return { state: next, version, envelopes };
  }
}

/** Serialises the commands on one stream until the end of the transaction. */
export async function lockStream(manager: EntityManager, stream: StreamRef): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive)
    throw new Error(
      `stream ${stream.type}/${stream.id}: a command must run inside a transaction (its lock is transaction-scoped)`,
    );
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [stream.type, stream.id]);
}

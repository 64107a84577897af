import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@latchkey/contracts';
import { ConcurrencyError } from '../store/errors';
import type { PgEventStore } from '../store/pg-event-store';
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
  /** How many times to reload and decide again after a ConcurrencyError (default 3). */
  retriesOnConflict?: number;
  /**
   * The stream is new (its id was just generated): skip loading it and decide on the initial
   * state. If it exists after all, the append's version check still refuses (ConcurrencyError).
   */
  newStream?: boolean;
}

export interface CommandResult<TState> {
  state: TState;
  version: number;
  envelopes: EventEnvelope[];
}

/**
 * Loads a stream, decides, appends and projects in ONE transaction. On a concurrent append the
 * whole transaction is retried from a fresh load, so `decide` sees the state it acts on.
 */
export class CommandRunner {
  constructor(private readonly store: PgEventStore) {}

  async run<TCommand, TState, TEvent extends DomainEvent>(
    decider: Decider<TCommand, TState, TEvent>,
    command: TCommand,
    options: RunCommandOptions<TState>,
  ): Promise<CommandResult<TState>> {
    const retries = options.retriesOnConflict ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.dataSource.transaction((manager) => this.runIn(manager, decider, command, options));
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= retries) throw err;
      }
    }
  }

  /** Runs inside the caller's transaction (no retry: the caller owns the transaction). */
  async runIn<TCommand, TState, TEvent extends DomainEvent>(
    manager: EntityManager,
    decider: Decider<TCommand, TState, TEvent>,
    command: TCommand,
    options: RunCommandOptions<TState>,
  ): Promise<CommandResult<TState>> {
    const history = options.newStream ? [] : await this.store.load(options.stream.id, manager);
    const state = fold(decider, history as unknown as TEvent[]);
    const events = decider.decide(command, state);
    const next = events.reduce((s, e) => decider.evolve(s, e), state);
    const { version, envelopes } = await this.store.appendIn(manager, {
      stream: options.stream,
      expectedVersion: history.length === 0 ? 0 : history[history.length - 1].aggregateVersion,
      events,
      correlationId: options.correlationId,
      causationId: options.causationId,
      actor: options.actor,
    });
    if (options.project && envelopes.length > 0) await options.project(manager, envelopes, next);
    return { state: next, version, envelopes };
  }
}

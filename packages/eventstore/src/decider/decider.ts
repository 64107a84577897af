import type { DomainEvent } from '../store/types';

/**
 * An aggregate as pure functions (our convention, docs/architecture.md): `decide` turns a command and the current state
 * into events (or throws a domain error), `evolve` folds one event into the state.
 */
export interface Decider<TCommand, TState, TEvent extends DomainEvent> {
  decide(command: TCommand, state: TState): TEvent[];
  evolve(state: TState, event: TEvent): TState;
  initialState: TState;
}

/** Folds events into a state, starting from `from` (default: the decider's initial state). */
export function fold<TState, TEvent extends DomainEvent>(
  decider: Pick<Decider<unknown, TState, TEvent>, 'evolve' | 'initialState'>,
  events: readonly TEvent[],
  from: TState = decider.initialState,
): TState {
  return events.reduce((state, event) => decider.evolve(state, event), from);
}

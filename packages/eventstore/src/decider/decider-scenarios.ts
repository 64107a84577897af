import { fold, type Decider } from './decider';
import type { DomainEvent } from '../store/types';

/**
 * The given/when of a decider's unit tests (our convention, docs/architecture.md): `given(...events)` folds a history,
 * `when(command, ...history)` decides on it, `errorOf(fn)` answers the domain error `fn` throws
 * (anything else is rethrown; nothing thrown fails). Each spec writes its `then`.
 */
export function deciderScenarios<TCommand, TState, TEvent extends DomainEvent, TError extends Error>(
  decider: Decider<TCommand, TState, TEvent>,
  errorType: abstract new (...args: never[]) => TError,
) {
  const given = (...events: TEvent[]): TState => fold(decider, events);
  const when = (command: TCommand, ...history: TEvent[]): TEvent[] => decider.decide(command, given(...history));
  const errorOf = (fn: () => unknown): TError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof errorType) return error;
      throw error;
    }
    throw new Error(`expected a ${errorType.name}, nothing was thrown`);
  };
  return { given, when, errorOf };
}

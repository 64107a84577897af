import type { Decider } from '../decider/decider';
import type { DomainEvent } from '../store/types';

/**
 * A small decider used by the store's own tests: a user that registers, is deactivated and
 * reactivated. (The real one lives in identity-service.)
 */
export type SampleUserState =
  | { status: 'none' }
  | { status: 'active'; userId: string; deactivations: number }
  | { status: 'deactivated'; userId: string; deactivations: number };

export type SampleUserCommand =
  { type: 'Register'; userId: string; email: string } | { type: 'Deactivate'; reason: string } | { type: 'Reactivate' };

export class SampleUserError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export const sampleUserDecider: Decider<SampleUserCommand, SampleUserState, DomainEvent> = {
  initialState: { status: 'none' },
  decide(command, state) {
    switch (command.type) {
      case 'Register':
        if (state.status !== 'none') throw new SampleUserError('USER_EXISTS');
        return [
          {
            type: 'UserRegistered',
            data: {
              userId: command.userId,
              kind: 'human',
              email: command.email,
              displayName: command.email,
              accountIds: ['acct-1'],
            },
          },
        ];
      case 'Deactivate':
        if (state.status !== 'active')
          throw new SampleUserError(state.status === 'none' ? 'USER_NOT_FOUND' : 'USER_ALREADY_DEACTIVATED');
        return [{ type: 'UserDeactivated', data: { userId: state.userId, reason: command.reason } }];
      case 'Reactivate':
        if (state.status !== 'deactivated') throw new SampleUserError('USER_NOT_DEACTIVATED');
        return [{ type: 'UserReactivated', data: { userId: state.userId } }];
      default: {
        const never: never = command;
        throw new Error(`unknown command ${JSON.stringify(never)}`);
      }
    }
  },
  evolve(state, event) {
    const data = event.data as { userId: string };
    switch (event.type) {
      case 'UserRegistered':
        return { status: 'active', userId: data.userId, deactivations: 0 };
      case 'UserDeactivated':
        return state.status === 'none'
          ? state
          : { status: 'deactivated', userId: state.userId, deactivations: state.deactivations + 1 };
      case 'UserReactivated':
        return state.status === 'none'
          ? state
          : { status: 'active', userId: state.userId, deactivations: state.deactivations };
      default:
        return state;
    }
  },
};

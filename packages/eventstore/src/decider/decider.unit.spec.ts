import { sampleUserDecider as decider, SampleUserError } from '../testing/sample-user-decider';
import { fold } from './decider';

const registered = {
  type: 'UserRegistered',
  data: { userId: 'u1', kind: 'human', email: 'a@example.com', displayName: 'a', accountIds: ['acct-1'] },
};
const deactivated = { type: 'UserDeactivated', data: { userId: 'u1', reason: 'left' } };

describe('fold', () => {
  it('given no events, then the state is the initial state', () => {
    expect(fold(decider, [])).toEqual({ status: 'none' });
  });

  it('given events, then they are applied in order', () => {
    expect(fold(decider, [registered, deactivated])).toEqual({ status: 'deactivated', userId: 'u1', deactivations: 1 });
  });
});

describe('sample decider (how a decider is tested: given events, when command, then events or error)', () => {
  const given = (...events: Array<{ type: string; data: unknown }>) => fold(decider, events);

  it('when deactivating an active user, then UserDeactivated', () => {
    expect(decider.decide({ type: 'Deactivate', reason: 'left' }, given(registered))).toEqual([deactivated]);
  });

  it('when deactivating twice, then USER_ALREADY_DEACTIVATED', () => {
    expect(() => decider.decide({ type: 'Deactivate', reason: 'again' }, given(registered, deactivated))).toThrow(
      new SampleUserError('USER_ALREADY_DEACTIVATED'),
    );
  });
});

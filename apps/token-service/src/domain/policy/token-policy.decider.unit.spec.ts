import { validateEvent } from '@latchkey/contracts';
import { deciderScenarios, envelopesOf } from '@latchkey/eventstore';
import { TokenError } from '../token-error';
import {
  DEFAULT_TOKEN_POLICY,
  policyOf,
  tokenPolicyDecider as decider,
  tokenPolicyStream,
  type SetTokenPolicy,
  type TokenPolicyCommand,
  type TokenPolicyEvent,
} from './token-policy.decider';

const { given, when, errorOf } = deciderScenarios(decider, TokenError);
const thenError = (code: string, command: TokenPolicyCommand, ...history: TokenPolicyEvent[]) => {
  expect(errorOf(() => when(command, ...history)).code).toBe(code);
};

/** Every emitted event must validate against the contracts; the tests below send theirs here. */
const emitted: TokenPolicyEvent[] = [];
function decided(command: TokenPolicyCommand, ...history: TokenPolicyEvent[]): TokenPolicyEvent[] {
  const events = when(command, ...history);
  emitted.push(...events);
  return events;
}

const A = 'acct-a';
const set: SetTokenPolicy = {
  type: 'SetTokenPolicy',
  accountId: A,
  whoMayCreate: 'administrators',
  maxLifetimeDays: 90,
  contactScopes: ['requests:read', 'orders:read'],
};
const changed: TokenPolicyEvent = {
  type: 'TokenPolicyChanged',
  data: {
    accountId: A,
    whoMayCreate: 'administrators',
    maxLifetimeDays: 90,
    contactScopes: ['orders:read', 'requests:read'],
  },
};

describe('token policy decider', () => {
  it('given nothing, then the default policy applies: everyone, unlimited, no contact scopes', () => {
    expect(given()).toEqual({ status: 'none' });
    expect(policyOf(given())).toEqual({ whoMayCreate: 'everyone', maxLifetimeDays: null, contactScopes: [] });
    expect(policyOf(given())).toBe(DEFAULT_TOKEN_POLICY);
    expect(Object.isFrozen(DEFAULT_TOKEN_POLICY) && Object.isFrozen(DEFAULT_TOKEN_POLICY.contactScopes)).toBe(true);
  });

  it('given nothing, when setting a policy, then TokenPolicyChanged with sorted contact scopes', () => {
    expect(decided(set)).toEqual([changed]);
  });

  it('expands wildcards in the contact scopes and removes duplicates', () => {
    const [event] = decided({ ...set, contactScopes: ['orders:*', 'orders:read', 'requests:read', 'requests:read'] });
    expect(event.data.contactScopes).toEqual([
      'orders:create',
      'orders:delete',
      'orders:read',
      'orders:update',
      'requests:read',
    ]);
  });

  it('given TokenPolicyChanged, then the policy is set and in force', () => {
    const state = given(changed);
    expect(state).toEqual({
      status: 'set',
      accountId: A,
      policy: { whoMayCreate: 'administrators', maxLifetimeDays: 90, contactScopes: ['orders:read', 'requests:read'] },
    });
    expect(policyOf(state)).toEqual({
      whoMayCreate: 'administrators',
      maxLifetimeDays: 90,
      contactScopes: ['orders:read', 'requests:read'],
    });
  });

  it('given a policy, when setting the same policy (in any order or spelling), then no events', () => {
    expect(when(set, changed)).toEqual([]);
    expect(when({ ...set, contactScopes: ['requests:read', 'orders:read', 'orders:read'] }, changed)).toEqual([]);
  });

  it('given nothing, when setting the default policy, then no events (it is already in force)', () => {
    expect(
      when({
        type: 'SetTokenPolicy',
        accountId: A,
        whoMayCreate: 'everyone',
        maxLifetimeDays: null,
        contactScopes: [],
      }),
    ).toEqual([]);
  });

  it('given a policy, when setting the default back, then TokenPolicyChanged', () => {
    const back = decided(
      { type: 'SetTokenPolicy', accountId: A, whoMayCreate: 'everyone', maxLifetimeDays: null, contactScopes: [] },
      changed,
    );
    expect(back).toEqual([
      {
        type: 'TokenPolicyChanged',
        data: { accountId: A, whoMayCreate: 'everyone', maxLifetimeDays: null, contactScopes: [] },
      },
    ]);
    expect(policyOf(given(changed, ...back))).toEqual(DEFAULT_TOKEN_POLICY);
  });

  it.each([
    ['whoMayCreate', { maxLifetimeDays: 30 }],
    ['maxLifetimeDays', { maxLifetimeDays: 365 }],
    ['contactScopes', { contactScopes: ['orders:read'] }],
  ])('given a policy, when changing only %s, then TokenPolicyChanged with the whole new policy', (_field, change) => {
    const [event] = decided({ ...set, ...change }, changed);
    expect(event.data).toEqual({ ...changed.data, ...change });
  });

  it('accepts the bounds of maxLifetimeDays', () => {
    expect(decided({ ...set, maxLifetimeDays: 1 })[0].data.maxLifetimeDays).toBe(1);
    expect(decided({ ...set, maxLifetimeDays: 3650 })[0].data.maxLifetimeDays).toBe(3650);
  });

  it.each([0, -1, 3651, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '30' as unknown as number])(
    'given maxLifetimeDays %p, then POLICY_INVALID',
    (maxLifetimeDays) => {
      thenError('POLICY_INVALID', { ...set, maxLifetimeDays });
    },
  );

  it('given an unknown whoMayCreate, then POLICY_INVALID', () => {
    thenError('POLICY_INVALID', { ...set, whoMayCreate: 'nobody' as never });
  });

  it('given an invalid contact scope, then SCOPE_INVALID', () => {
    thenError('SCOPE_INVALID', { ...set, contactScopes: ['orders'] });
    thenError('SCOPE_INVALID', { ...set, contactScopes: ['orders:write'] });
    thenError('SCOPE_INVALID', { ...set, contactScopes: 'orders:read' as never });
  });

  it('names its stream by the account id', () => {
    expect(tokenPolicyStream(A)).toEqual({ type: 'token-policy', id: A });
  });

  it('emits events that validate against the contracts (all those the tests above emitted; runs last)', () => {
    expect(emitted.length).toBeGreaterThan(5);
    for (const envelope of envelopesOf('token-service', 'token-policy', A, emitted)) {
      expect(validateEvent(envelope)).toEqual({ ok: true, event: envelope });
    }
  });
});

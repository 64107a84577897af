import { PAT_CREATORS, type TokenPolicyChangedData } from '@latchkey/contracts';
import type { Decider, DomainEvent, StreamRef } from '@latchkey/eventstore';
import { requireScopes } from '../scopes';
import { TokenError } from '../token-error';

/**
 * An account's personal access token policy. Aggregate type 'token-policy'; the stream id is the
 * account id.
 *
 * A policy change never touches existing tokens: their lifetime was checked against the policy
 * when they were issued, and their effective scopes keep following the user's permissions live
 * in the verifier (token scopes ∩ current permissions). So a shorter maximum lifetime, a switch
 * to `administrators` or a removed contact scope applies to tokens created from then on only; to
 * take access away from existing tokens, change the users' permissions or revoke the tokens.
 */
export const TOKEN_POLICY_AGGREGATE = 'token-policy';

export function tokenPolicyStream(accountId: string): StreamRef {
  return { type: TOKEN_POLICY_AGGREGATE, id: accountId };
}

export type PatCreators = (typeof PAT_CREATORS)[number];

export interface TokenPolicy {
  /** `everyone`: each member for themselves; `administrators`: holders of `personal_access_tokens:*` in the account, for anyone. */
  whoMayCreate: PatCreators;
  /** Longest lifetime of a new token acting in the account, in days; null = unlimited (no expiry allowed). */
  maxLifetimeDays: number | null;
  /** The only scopes a contact user's tokens may carry in the account; expanded, sorted, unique. */
  contactScopes: readonly string[];
}

export const MAX_LIFETIME_DAYS_LIMIT = 3650;

/** What applies to an account that never set a policy. Frozen: share it, never change it. */
export const DEFAULT_TOKEN_POLICY: Readonly<TokenPolicy> = Object.freeze({
  whoMayCreate: 'everyone',
  maxLifetimeDays: null,
  contactScopes: Object.freeze([]),
});

export type TokenPolicyState = { status: 'none' } | { status: 'set'; accountId: string; policy: TokenPolicy };

export type SetTokenPolicy = {
  type: 'SetTokenPolicy';
  accountId: string;
  whoMayCreate: PatCreators;
  /** Whole days, 1..3650, or null for unlimited. */
  maxLifetimeDays: number | null;
  /** Valid scopes; `resource:*` is expanded. */
  contactScopes: readonly string[];
};

export type TokenPolicyCommand = SetTokenPolicy;

export type TokenPolicyChanged = DomainEvent<'TokenPolicyChanged', TokenPolicyChangedData>;
export type TokenPolicyEvent = TokenPolicyChanged;

/** The policy in force: the one set, or {@link DEFAULT_TOKEN_POLICY}. */
export function policyOf(state: TokenPolicyState): TokenPolicy {
  return state.status === 'set' ? state.policy : DEFAULT_TOKEN_POLICY;
}

function checkPolicy(command: SetTokenPolicy): TokenPolicy {
  if (!(PAT_CREATORS as readonly unknown[]).includes(command.whoMayCreate)) {
    throw new TokenError('POLICY_INVALID', `whoMayCreate must be one of ${PAT_CREATORS.join(', ')}`);
  }
  const days = command.maxLifetimeDays;
  if (days !== null && !(Number.isInteger(days) && days >= 1 && days <= MAX_LIFETIME_DAYS_LIMIT)) {
    throw new TokenError(
      'POLICY_INVALID',
      `maxLifetimeDays must be null or a whole number within 1..${MAX_LIFETIME_DAYS_LIMIT}`,
    );
  }
  return {
    whoMayCreate: command.whoMayCreate,
    maxLifetimeDays: days,
    contactScopes: requireScopes(command.contactScopes, 'contactScopes'),
  };
}

function samePolicy(a: TokenPolicy, b: TokenPolicy): boolean {
  return (
    a.whoMayCreate === b.whoMayCreate &&
    a.maxLifetimeDays === b.maxLifetimeDays &&
    a.contactScopes.length === b.contactScopes.length &&
    a.contactScopes.every((scope, i) => scope === b.contactScopes[i])
  );
}

function decideSet(command: SetTokenPolicy, state: TokenPolicyState): TokenPolicyEvent[] {
  const policy = checkPolicy(command);
  // Idempotent: nothing to record when the policy in force is already this one (for an account
  // without a policy, that is the default).
  if (samePolicy(policy, policyOf(state))) return [];
  return [
    {
      type: 'TokenPolicyChanged',
      data: { accountId: command.accountId, ...policy, contactScopes: [...policy.contactScopes] },
    },
  ];
}

export const tokenPolicyDecider: Decider<TokenPolicyCommand, TokenPolicyState, TokenPolicyEvent> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'SetTokenPolicy':
        return decideSet(command, state);
      default: {
        const unknown: never = command.type;
        throw new Error(`unknown token policy command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case 'TokenPolicyChanged': {
        const { accountId, whoMayCreate, maxLifetimeDays, contactScopes } = event.data;
        return {
          status: 'set',
          accountId,
          policy: { whoMayCreate, maxLifetimeDays, contactScopes: [...contactScopes] },
        };
      }
      default: {
        const unknown: never = event.type;
        throw new Error(`unknown token policy event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

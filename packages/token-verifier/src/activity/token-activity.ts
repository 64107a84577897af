import { intersectFrozen, intersectScopes, missingScopes, NO_SCOPES } from '../projection/scopes';

/**
 * Why a token is not active. `unknown` covers both "no such token" and "its user is not known
 * here yet" — either way the verifier cannot vouch for it and may ask token-service.
 */
export type InactiveReason =
  | 'malformed'
  | 'bad_checksum'
  | 'unknown'
  | 'expired'
  | 'token_revoked'
  | 'grant_revoked'
  | 'user_deactivated'
  | 'application_disabled'
  | 'account_not_allowed';

export type SubjectKind = 'human' | 'api' | 'contact' | 'client';

export interface ActiveToken {
  active: true;
  subject: string | null;
  subjectKind: SubjectKind | null;
  tokenId: string;
  grantId: string;
  clientId: string | null;
  /**
   * Issued to Latchkey's own console (its application's `console` flag): acting for its user as a
   * login session does, it may manage the user's tokens and grants, which no other application's
   * token may.
   */
  viaConsole: boolean;
  accountIds: readonly string[];
  /**
   * token scopes ∩ the user's current permissions: in `account` when one is asked for, otherwise
   * in EVERY account of the token (what the token may do wherever it acts).
   */
  effectiveScopes: readonly string[];
  /** required scopes that the effective scopes do not cover (empty: allowed) */
  missingScopes: readonly string[];
  expiresAt: string | null;
}

export type VerifyResult = ActiveToken | { active: false; reason: InactiveReason };

export interface VerifyOptions {
  /** The account the request acts in; the token must be allowed in it. */
  account?: string;
  requiredScopes?: readonly string[];
}

/** What is known of a token's application where the decision is taken (undefined: not known there). */
export interface ApplicationFacts {
  readonly disabled: boolean;
  /**
   * Latchkey's own console (ApplicationRegistered `console: true`): its tokens act for their user
   * as a login session does, so the application's scopes and accounts are no ceiling for them.
   */
  readonly console: boolean;
  /** The scopes the application may request now; null when not known (no ceiling applied). */
  readonly allowedScopes: readonly string[] | null;
  /** The accounts the application may act in now; null when not known. */
  readonly accountIds: readonly string[] | null;
}

/** What is known of a token itself, wherever it comes from (projection, token-service's tables, introspection). */
export interface TokenFacts {
  readonly tokenId: string;
  readonly grantId: string;
  /** Null for a token of an application alone (client credentials). */
  readonly userId: string | null;
  readonly clientId: string | null;
  readonly accountIds: readonly string[];
  /** The scopes the token was issued with (expanded). */
  readonly scopes: readonly string[];
  /** Epoch ms; null = never expires. */
  readonly expiresAtMs: number | null;
  readonly revoked: 'token_revoked' | 'grant_revoked' | null;
}

/** What is known of the token's user now. */
export interface UserFacts {
  readonly deactivated: boolean;
  readonly kind: 'human' | 'api' | 'contact' | null;
  /** accountId → the user's current permissions there (expanded). */
  readonly permissions: ReadonlyMap<string, readonly string[]>;
}

/** Statuses that can stop an active token (the verification rule, in order), for the metrics and answers. */
export const INACTIVE_REASONS: readonly InactiveReason[] = [
  'malformed',
  'bad_checksum',
  'unknown',
  'token_revoked',
  'grant_revoked',
  'expired',
  'user_deactivated',
  'application_disabled',
  'account_not_allowed',
];

/**
 * THE rule of whether a token is active and what it may do — the one place every verifier
 * (gateway, each service, the miss fallback) and token-service's introspection decide it, so they
 * cannot disagree. In order: not revoked (token, then grant), not expired, its user known and not
 * deactivated, its application not disabled or deleted, allowed in the account asked for; then the
 * effective scopes are the token's scopes ∩ its application's current allowed scopes (when it has
 * one) ∩ the user's current permissions (a token never does more than its user may do now, nor
 * than its application may ask for now) and the required scopes still missing.
 *
 * `user` is undefined when the user is not known where the decision is taken (answer: unknown).
 */
export function decideActive(
  token: TokenFacts,
  user: UserFacts | undefined,
  application: ApplicationFacts | undefined,
  options: VerifyOptions,
  now: number,
): VerifyResult {
  const applicationDisabled = token.clientId !== null && application?.disabled === true;
  if (token.revoked !== null) return { active: false, reason: token.revoked };
  if (token.expiresAtMs !== null && token.expiresAtMs <= now) return { active: false, reason: 'expired' };
  if (token.userId !== null) {
    if (user === undefined) return { active: false, reason: 'unknown' };
    if (user.deactivated) return { active: false, reason: 'user_deactivated' };
  }
  if (applicationDisabled) return { active: false, reason: 'application_disabled' };
  // an application's token acts only where the token and the application may both act now (the
  // console's tokens act wherever their user does, as a login session would)
  const underApplication = token.clientId !== null && application?.console !== true;
  const appAccounts = underApplication ? (application?.accountIds ?? null) : null;
  const accountIds = appAccounts === null ? token.accountIds : token.accountIds.filter((a) => appAccounts.includes(a));
  if (accountIds.length === 0 && token.accountIds.length > 0) return { active: false, reason: 'account_not_allowed' };
  const account = options.account;
  if (account !== undefined && !accountIds.includes(account)) return { active: false, reason: 'account_not_allowed' };

  // an application's token never does more than the application may request now
  const ceiling = underApplication ? (application?.allowedScopes ?? null) : null;
  const scopes = ceiling === null ? token.scopes : intersectFrozen(token.scopes, ceiling);
  const effective = effectiveScopes({ scopes, accountIds }, token.userId === null ? undefined : user, account);
  return {
    active: true,
    subject: token.userId ?? token.clientId,
    subjectKind: token.userId !== null ? (user?.kind ?? null) : 'client',
    tokenId: token.tokenId,
    grantId: token.grantId,
    clientId: token.clientId,
    viaConsole: token.clientId !== null && application?.console === true,
    accountIds,
    effectiveScopes: effective,
    missingScopes: missingScopes(options.requiredScopes ?? NO_SCOPES, effective),
    expiresAt: token.expiresAtMs === null ? null : new Date(token.expiresAtMs).toISOString(),
  };
}

/**
 * The token's scopes ∩ the user's permissions in `account`, or — without an account — in every
 * account of the token (intersection, never the union: a route that names no account may only
 * rely on what holds everywhere the token acts). A client token (no user) keeps its own scopes.
 */
export function effectiveScopes(
  token: Pick<TokenFacts, 'scopes' | 'accountIds'>,
  user: UserFacts | undefined,
  account?: string,
): readonly string[] {
  if (user === undefined) return sortedFrozen(token.scopes);
  const only = account ?? (token.accountIds.length === 1 ? token.accountIds[0] : undefined);
  // one account (the usual case): a memoized intersection of two interned lists
  if (only !== undefined) return intersectFrozen(token.scopes, user.permissions.get(only) ?? NO_SCOPES);
  if (token.accountIds.length === 0) return NO_SCOPES;
  let scopes: readonly string[] = token.scopes;
  for (const a of token.accountIds) {
    scopes = intersectScopes(scopes, user.permissions.get(a) ?? NO_SCOPES);
    if (scopes.length === 0) return NO_SCOPES;
  }
  return scopes;
}

const sortedOf = new WeakMap<readonly string[], readonly string[]>();

/** A sorted copy, memoized for frozen (interned) lists. */
function sortedFrozen(scopes: readonly string[]): readonly string[] {
  if (!Object.isFrozen(scopes)) return [...scopes].sort();
  let sorted = sortedOf.get(scopes);
  if (sorted === undefined) sortedOf.set(scopes, (sorted = Object.freeze([...scopes].sort())));
  return sorted;
}

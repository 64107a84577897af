import {
  SHA256_BASE64URL_PATTERN,
  type GrantCreatedData,
  type GrantRevokedData,
  type TokenIssuedData,
  type TokenRevokedData,
  type UserKind,
} from '@latchkey/contracts';
import type { Decider, DomainEvent, StreamRef } from '@latchkey/eventstore';
import { DEFAULT_TOKEN_POLICY, type TokenPolicy } from '../policy/token-policy.decider';
import { coveredBy, requireScopes } from '../scopes';
import { isBlank, quoteShort, requireText } from '../text';
import { TokenError } from '../token-error';

/**
 * A personal access token (PAT) is a `personal` grant with one live token (see docs/architecture.md, the contracts).
 * Aggregate type 'grant'; the stream id is the grant id. Regenerating revokes the live token and
 * issues a new one under the same grant; revoking the grant kills all its tokens.
 */
export const GRANT_AGGREGATE = 'grant';

export function grantStream(grantId: string): StreamRef {
  return { type: GRANT_AGGREGATE, id: grantId };
}

export const NAME_MAX_LENGTH = 100;
export const DESCRIPTION_MAX_LENGTH = 1000;
export const REASON_MAX_LENGTH = 500;
/** The reason of the TokenRevoked that a regeneration emits. */
export const REGENERATED_REASON = 'regenerated';

const DAY_MS = 86_400_000;
const TOKEN_HASH = new RegExp(SHA256_BASE64URL_PATTERN);
/** What token-format's displayPrefix gives for a PAT: the kind prefix and 4 characters, never more of the secret. */
const PAT_DISPLAY_PREFIX = /^lk_pat_[0-9A-Za-z]{4}$/;
/** ISO-8601 date-time with seconds and a time zone, as the contracts' `format: date-time` wants it. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The live (or, once the grant is revoked, the last) token of a PAT. No secret, no hash. */
export interface PatToken {
  tokenId: string;
  issuedAt: string;
  /** Null = never expires. */
  expiresAt: string | null;
  displayPrefix: string;
}

export interface PatProfile {
  grantId: string;
  userId: string;
  name: string;
  /** Null when the token has none. */
  description: string | null;
  /** Expanded, sorted, unique. */
  scopes: string[];
  /** Sorted, unique. */
  accountIds: string[];
  createdBy: string;
  /**
   * Null only between GrantCreated and its TokenIssued, which are appended together, so a
   * decision never sees it.
   */
  currentToken: PatToken | null;
}

export type PatState =
  | { status: 'none' }
  | ({ status: 'active' } & PatProfile)
  | ({ status: 'revoked'; revokedAt: string; reason: string } & PatProfile);

export type ExistingPat = Exclude<PatState, { status: 'none' }>;

/** The user the token is for, as the identity projection has it. */
export interface PatUserFacts {
  kind: UserKind;
  active: boolean;
  /** The user's current permissions by account id (expanded); an account the user is not a member of is absent. */
  permissions: Readonly<Record<string, readonly string[]>>;
}

/** Who creates (or regenerates) the token, as the token they call with says. */
export interface PatActorFacts {
  /** Whether the actor issues the token for themselves (must agree with the command's actor and user). */
  isSelf: boolean;
  /**
   * Accounts the actor administers: where the calling token's effective scopes cover
   * `account_tokens:create`. Issuing for someone else needs it in every account of the token;
   * a policy with `whoMayCreate: administrators` needs it for oneself too.
   */
  administers: readonly string[];
  /**
   * The calling token's effective scopes (its scopes ∩ the actor's current permissions) by
   * account: a PAT never exceeds the token that issues it, whether for oneself or for anyone
   * else. Absent only when no token acts at all: the operator's break-glass CLI, which runs
   * with the service's own database credentials.
   */
  tokenScopes?: Readonly<Record<string, readonly string[]>>;
}

/**
 * What issuing a token (CreatePat or RegeneratePat: both are creations and obey the same rules)
 * needs from elsewhere, read by the handler so that decide stays pure.
 */
export interface IssuingFacts {
  /** Null when the user is unknown. */
  user: PatUserFacts | null;
  actor: PatActorFacts;
  /** Token policies by account id, as they are now; an account without one has {@link DEFAULT_TOKEN_POLICY}. */
  policies: Readonly<Record<string, TokenPolicy>>;
}

/** Everything CreatePat needs from elsewhere. */
export interface CreatePatFacts extends IssuingFacts {
  /** Whether another live (not revoked) PAT of the user has this name (compare {@link patNameKey}s). */
  nameTaken: boolean;
}

export type CreatePat = {
  type: 'CreatePat';
  grantId: string;
  tokenId: string;
  /** SHA-256 (base64url) of the secret the handler generated; the secret never reaches the domain. */
  tokenHash: string;
  /** `lk_pat_` and the first 4 characters of the secret (token-format's displayPrefix). */
  displayPrefix: string;
  userId: string;
  name: string;
  description?: string | null;
  /** Valid scopes; `resource:*` is expanded. */
  scopes: readonly string[];
  accountIds: readonly string[];
  /** ISO-8601 date-time, or null for a token that never expires. */
  expiresAt: string | null;
  /** The current time, ISO-8601. */
  now: string;
  /** The acting user (or operator): GrantCreated.createdBy and TokenIssued.issuedBy. */
  createdBy: string;
  facts: CreatePatFacts;
};

export type RegeneratePat = {
  type: 'RegeneratePat';
  /** Id of the new token. */
  tokenId: string;
  /** SHA-256 (base64url) of the new secret. */
  tokenHash: string;
  displayPrefix: string;
  /** The current time, ISO-8601. */
  now: string;
  /**
   * The new token's expiry (ISO-8601), null for none; absent: the current token's lifetime
   * length counted from now (none if it has none). Either way within today's policies.
   */
  expiresAt?: string | null;
  /** The acting user (or operator): TokenRevoked.revokedBy of the old token, TokenIssued.issuedBy of the new. */
  regeneratedBy: string;
  /** The user whose facts these are; the handler read them for the PAT's user (anything else is a handler bug). */
  userId: string;
  facts: IssuingFacts;
};

export type RevokePat = {
  type: 'RevokePat';
  /** E.g. `user_request`, `user_deactivated`. */
  reason: string;
  /** The current time, ISO-8601. */
  now: string;
  /** The person who revoked it (the user, an administrator, an operator); absent when the platform reacts to an event. */
  revokedBy?: string;
};

export type PatCommand = CreatePat | RegeneratePat | RevokePat;

export type GrantCreated = DomainEvent<'GrantCreated', GrantCreatedData>;
export type TokenIssued = DomainEvent<'TokenIssued', TokenIssuedData>;
export type TokenRevoked = DomainEvent<'TokenRevoked', TokenRevokedData>;
export type GrantRevoked = DomainEvent<'GrantRevoked', GrantRevokedData>;
export type PatEvent = GrantCreated | TokenIssued | TokenRevoked | GrantRevoked;

/** How PAT names compare when the handler works out `nameTaken`: trimmed, case-insensitive. */
export function patNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** Whether a PAT can be used now (apart from its user's state): revoked wins over expired. */
export function patStatus(state: ExistingPat, now: string): 'active' | 'expired' | 'revoked' {
  if (state.status === 'revoked') return 'revoked';
  const expiresAt = state.currentToken?.expiresAt ?? null;
  return expiresAt !== null && Date.parse(expiresAt) <= instant(now, 'now') ? 'expired' : 'active';
}

// ---------------------------------------------------------------------------------------------
// Handler-supplied values: a bad one is a bug in the handler, so a plain Error.

function instant(value: string, field: string): number {
  const ms = typeof value === 'string' && ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new Error(`${field} is not an ISO-8601 date-time: ${JSON.stringify(value)}`);
  return ms;
}

function checkTokenMaterial(command: { tokenHash: string; displayPrefix: string }): void {
  if (typeof command.tokenHash !== 'string' || !TOKEN_HASH.test(command.tokenHash)) {
    throw new Error('tokenHash must be the SHA-256 (base64url) of the token');
  }
  if (typeof command.displayPrefix !== 'string' || !PAT_DISPLAY_PREFIX.test(command.displayPrefix)) {
    throw new Error('displayPrefix must be lk_pat_ and 4 characters of the token, never more');
  }
}

// ---------------------------------------------------------------------------------------------
// The rules of issuing a token, shared by CreatePat and RegeneratePat. In this order: the
// actor's right to issue for someone else comes before any fact about the user, so that an
// administrator learns nothing about users outside the accounts they administer.

function ownList(record: Readonly<Record<string, readonly string[]>> | undefined, key: string): readonly string[] {
  // Own properties only: an account id such as "constructor" must not reach Object.prototype.
  return record !== undefined && Object.hasOwn(record, key) ? (record[key] ?? []) : [];
}

function policyIn(policies: Readonly<Record<string, TokenPolicy>>, accountId: string): TokenPolicy {
  return Object.hasOwn(policies, accountId) ? (policies[accountId] ?? DEFAULT_TOKEN_POLICY) : DEFAULT_TOKEN_POLICY;
}

/** The accounts of the token as a set: present, strings, sorted and unique (shape only, no user fact). */
function requireAccounts(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new TokenError('ACCOUNTS_REQUIRED', 'a token needs at least one account');
  for (const accountId of value as unknown[]) {
    if (typeof accountId !== 'string')
      throw new TokenError(
        'ACCOUNT_NOT_HELD',
        `the user holds no permissions in account ${quoteShort(String(accountId))}`,
      );
  }
  return [...new Set(value as string[])].sort();
}

function checkRequestedScopes(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new TokenError('SCOPES_REQUIRED', 'a token needs at least one scope');
  return requireScopes(value);
}

/** The facts must describe the actor the command names: a mismatch is a handler bug (plain Error). */
function checkActorConsistent(actor: PatActorFacts, actorId: string, userId: string): void {
  if (actor.isSelf !== (actorId === userId))
    throw new Error(`actor facts say isSelf=${actor.isSelf} but ${actorId} acts for ${userId}`);
}

/** Issuing for someone else needs `account_tokens:create` in every account of the token: before any user fact. */
function checkMayIssueForOthers(actor: PatActorFacts, accountIds: readonly string[]): void {
  if (actor.isSelf) return;
  for (const accountId of accountIds) {
    if (!actor.administers.includes(accountId)) {
      throw new TokenError(
        'NOT_ALLOWED_FOR_OTHERS',
        `only an administrator of account ${quoteShort(accountId)} may issue tokens there for others`,
      );
    }
  }
}

/** What an administrator is told about a user who is not theirs to see: exactly what an unknown user gets. */
function unknownUser(): TokenError {
  return new TokenError('USER_UNKNOWN', 'user not found');
}

/**
 * The user exists and is active. For an administrator issuing for someone else, a user who is a
 * member of none of the token's accounts (all of which they administer) is answered as unknown:
 * whether the id exists elsewhere is none of their business. The operator (no token) sees all.
 */
function checkUser(user: PatUserFacts | null, actor: PatActorFacts, accountIds: readonly string[]): PatUserFacts {
  if (user === null || user === undefined) throw unknownUser();
  const administrator = !actor.isSelf && actor.tokenScopes !== undefined;
  if (administrator && !accountIds.some((accountId) => ownList(user.permissions, accountId).length > 0))
    throw unknownUser();
  if (!user.active) throw new TokenError('USER_DEACTIVATED', 'user is deactivated');
  return user;
}

function checkAccountsHeld(user: PatUserFacts, accountIds: readonly string[]): void {
  for (const accountId of accountIds) {
    if (ownList(user.permissions, accountId).length === 0) {
      throw new TokenError('ACCOUNT_NOT_HELD', `the user holds no permissions in account ${quoteShort(accountId)}`);
    }
  }
}

/** For oneself: api users get their tokens from an administrator, and the accounts' policies may reserve creation to administrators. */
function checkSelfService(
  actor: PatActorFacts,
  user: PatUserFacts,
  accountIds: readonly string[],
  policies: IssuingFacts['policies'],
): void {
  if (!actor.isSelf) return;
  if (user.kind === 'api') {
    throw new TokenError(
      'NOT_ALLOWED_FOR_API_USERS',
      'an api user gets its tokens from an administrator of its accounts',
    );
  }
  for (const accountId of accountIds) {
    if (policyIn(policies, accountId).whoMayCreate === 'administrators' && !actor.administers.includes(accountId)) {
      throw new TokenError(
        'PAT_CREATION_FORBIDDEN',
        `the policy of account ${quoteShort(accountId)} lets only administrators create tokens`,
      );
    }
  }
}

/**
 * Every scope in every account of the token: held by the user (a token never gains more than its
 * user), within the calling token (never more than the token that issues it, for oneself and for
 * others alike), and, for a contact, allowed by the account's contact policy.
 */
function checkScopesHeld(
  facts: IssuingFacts,
  user: PatUserFacts,
  accountIds: readonly string[],
  scopes: readonly string[],
): void {
  const { actor, policies } = facts;
  const tokenScopes = actor.tokenScopes;
  for (const accountId of accountIds) {
    const held = ownList(user.permissions, accountId);
    for (const scope of scopes) {
      if (!coveredBy(scope, held)) {
        throw new TokenError(
          'SCOPE_NOT_HELD',
          `the user does not hold ${quoteShort(scope)} in account ${quoteShort(accountId)}`,
        );
      }
    }
    if (tokenScopes !== undefined) {
      const allowed = ownList(tokenScopes, accountId);
      if (allowed.length === 0) {
        throw new TokenError(
          'ACCOUNT_NOT_HELD',
          `the token you are using may not act in account ${quoteShort(accountId)}`,
          'calling-token',
        );
      }
      for (const scope of scopes) {
        if (!coveredBy(scope, allowed)) {
          throw new TokenError(
            'SCOPE_NOT_HELD',
            `the token you are using does not hold ${quoteShort(scope)} in account ${quoteShort(accountId)}`,
            'calling-token',
          );
        }
      }
    }
    if (user.kind === 'contact') {
      const contactScopes = policyIn(policies, accountId).contactScopes;
      for (const scope of scopes) {
        if (!coveredBy(scope, contactScopes)) {
          throw new TokenError(
            'SCOPE_NOT_ALLOWED_FOR_CONTACT',
            `the policy of account ${quoteShort(accountId)} does not allow ${quoteShort(scope)} for contacts`,
          );
        }
      }
    }
  }
}

/** The expiry, normalized to `toISOString()`: in the future, and within the tightest maximum lifetime of the accounts. */
function checkExpiry(
  value: string | null,
  nowMs: number,
  accountIds: readonly string[],
  policies: IssuingFacts['policies'],
): string | null {
  const maxima = accountIds
    .map((accountId) => policyIn(policies, accountId).maxLifetimeDays)
    .filter((days): days is number => days !== null);
  const maxDays = maxima.length === 0 ? null : Math.min(...maxima);
  if (value === null || value === undefined) {
    if (maxDays !== null)
      throw new TokenError('EXPIRY_REQUIRED', `a token acting in these accounts must expire within ${maxDays} days`);
    return null;
  }
  const ms = typeof value === 'string' && ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new TokenError('EXPIRY_INVALID', 'expiresAt must be an ISO-8601 date-time with a time zone');
  if (ms <= nowMs) throw new TokenError('EXPIRY_IN_PAST', 'expiresAt must be in the future');
  if (maxDays !== null && ms - nowMs > maxDays * DAY_MS) {
    throw new TokenError(
      'LIFETIME_EXCEEDS_MAXIMUM',
      `a token acting in these accounts must expire within ${maxDays} days`,
    );
  }
  return new Date(ms).toISOString();
}

/** What a token to issue is: for whom, where, with what, until when; and who issues it. */
interface Issue {
  actorId: string;
  userId: string;
  accountIds: unknown;
  scopes: unknown;
  expiresAt: string | null;
  nowMs: number;
}

/**
 * Every rule of issuing a token, for a new PAT and a regenerated one alike, with `between` (the
 * name checks of a creation) run once the user is known to be visible and active. Answers the
 * user and the normalized accounts, scopes and expiry.
 */
function checkIssue(
  issue: Issue,
  facts: IssuingFacts,
  between: () => void = () => {},
): { accountIds: string[]; scopes: string[]; expiresAt: string | null } {
  const { actor, policies } = facts;
  checkActorConsistent(actor, issue.actorId, issue.userId);
  const accountIds = requireAccounts(issue.accountIds);
  const scopes = checkRequestedScopes(issue.scopes);
  checkMayIssueForOthers(actor, accountIds);
  const user = checkUser(facts.user, actor, accountIds);
  between();
  checkAccountsHeld(user, accountIds);
  checkSelfService(actor, user, accountIds, policies);
  checkScopesHeld(facts, user, accountIds, scopes);
  const expiresAt = checkExpiry(issue.expiresAt, issue.nowMs, accountIds, policies);
  return { accountIds, scopes, expiresAt };
}

// ---------------------------------------------------------------------------------------------
// CreatePat

function decideCreate(command: CreatePat, state: PatState): PatEvent[] {
  if (state.status !== 'none')
    throw new TokenError('GRANT_EXISTS', `grant ${quoteShort(command.grantId)} already exists`);
  checkTokenMaterial(command);
  const nowMs = instant(command.now, 'now');
  const { facts } = command;
  const name = requireText(command.name, 'name', { maxLength: NAME_MAX_LENGTH }, 'NAME_INVALID');
  const description = isBlank(command.description)
    ? null
    : requireText(
        command.description,
        'description',
        { maxLength: DESCRIPTION_MAX_LENGTH, multiLine: true },
        'DESCRIPTION_INVALID',
      );
  const { accountIds, scopes, expiresAt } = checkIssue(
    {
      actorId: command.createdBy,
      userId: command.userId,
      accountIds: command.accountIds,
      scopes: command.scopes,
      expiresAt: command.expiresAt,
      nowMs,
    },
    facts,
    () => {
      if (facts.nameTaken) throw new TokenError('NAME_TAKEN', `the user already has a token named ${quoteShort(name)}`);
    },
  );

  const created: GrantCreatedData = {
    grantId: command.grantId,
    kind: 'personal',
    userId: command.userId,
    accountIds,
    scopes,
    name,
    ...(description === null ? {} : { description }),
    createdBy: command.createdBy,
  };
  const issued: TokenIssuedData = {
    tokenId: command.tokenId,
    grantId: command.grantId,
    tokenKind: 'pat',
    tokenHash: command.tokenHash,
    displayPrefix: command.displayPrefix,
    userId: command.userId,
    accountIds: [...accountIds],
    scopes: [...scopes],
    issuedAt: new Date(nowMs).toISOString(),
    expiresAt,
    issuedBy: command.createdBy,
  };
  return [
    { type: 'GrantCreated', data: created },
    { type: 'TokenIssued', data: issued },
  ];
}

// ---------------------------------------------------------------------------------------------
// RegeneratePat, RevokePat

function requireActive(state: PatState): Extract<PatState, { status: 'active' }> {
  if (state.status === 'none') throw new TokenError('GRANT_NOT_FOUND', 'token not found');
  if (state.status === 'revoked') throw new TokenError('GRANT_REVOKED', 'token was revoked');
  return state;
}

/**
 * A new secret for the same grant is a creation: every rule of CreatePat applies again, with
 * today's facts (the user, the calling token, the policies). The default expiry keeps the
 * current token's lifetime length, counted from now, and today's maximum lifetime still applies.
 */
function decideRegenerate(command: RegeneratePat, state: PatState): PatEvent[] {
  const pat = requireActive(state);
  const current = pat.currentToken;
  if (current === null) throw new Error(`grant ${pat.grantId} has no token to regenerate`);
  checkTokenMaterial(command);
  if (command.tokenId === current.tokenId) throw new Error('the new token needs a new token id');
  if (command.userId !== pat.userId)
    throw new Error(`the facts are of user ${command.userId}, the token is of user ${pat.userId}`);
  const nowMs = instant(command.now, 'now');
  const sameLength =
    current.expiresAt === null
      ? null
      : new Date(
          nowMs + (instant(current.expiresAt, 'expiresAt') - instant(current.issuedAt, 'issuedAt')),
        ).toISOString();
  const { expiresAt } = checkIssue(
    {
      actorId: command.regeneratedBy,
      userId: pat.userId,
      accountIds: pat.accountIds,
      scopes: pat.scopes,
      expiresAt: command.expiresAt === undefined ? sameLength : command.expiresAt,
      nowMs,
    },
    command.facts,
  );
  return [
    {
      type: 'TokenRevoked',
      data: {
        tokenId: current.tokenId,
        grantId: pat.grantId,
        reason: REGENERATED_REASON,
        revokedBy: command.regeneratedBy,
      },
    },
    {
      type: 'TokenIssued',
      data: {
        tokenId: command.tokenId,
        grantId: pat.grantId,
        tokenKind: 'pat',
        tokenHash: command.tokenHash,
        displayPrefix: command.displayPrefix,
        userId: pat.userId,
        accountIds: [...pat.accountIds],
        scopes: [...pat.scopes],
        issuedAt: new Date(nowMs).toISOString(),
        expiresAt,
        issuedBy: command.regeneratedBy,
      },
    },
  ];
}

function decideRevoke(command: RevokePat, state: PatState): PatEvent[] {
  if (state.status === 'none') throw new TokenError('GRANT_NOT_FOUND', 'token not found');
  // Idempotent: revoking a revoked token records nothing and is no error.
  if (state.status === 'revoked') return [];
  const reason = requireText(command.reason, 'reason', { maxLength: REASON_MAX_LENGTH }, 'REASON_INVALID');
  const revokedAt = new Date(instant(command.now, 'now')).toISOString();
  const by = command.revokedBy === undefined ? {} : { revokedBy: command.revokedBy };
  const events: PatEvent[] = [];
  if (state.currentToken !== null) {
    events.push({
      type: 'TokenRevoked',
      data: { tokenId: state.currentToken.tokenId, grantId: state.grantId, reason, ...by },
    });
  }
  events.push({
    type: 'GrantRevoked',
    data: { grantId: state.grantId, userId: state.userId, reason, revokedAt, ...by },
  });
  return events;
}

// ---------------------------------------------------------------------------------------------
// evolve

function profileOf(state: ExistingPat): PatProfile {
  const { grantId, userId, name, description, scopes, accountIds, createdBy, currentToken } = state;
  return { grantId, userId, name, description, scopes, accountIds, createdBy, currentToken };
}

function createdProfile(data: GrantCreatedData): PatProfile {
  if (data.kind !== 'personal' || data.userId === undefined) {
    throw new Error(`grant ${data.grantId} is not a personal access token grant (kind ${data.kind})`);
  }
  return {
    grantId: data.grantId,
    userId: data.userId,
    name: data.name ?? '',
    description: data.description ?? null,
    scopes: [...data.scopes],
    accountIds: [...data.accountIds],
    createdBy: data.createdBy,
    currentToken: null,
  };
}

export const patDecider: Decider<PatCommand, PatState, PatEvent> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'CreatePat':
        return decideCreate(command, state);
      case 'RegeneratePat':
        return decideRegenerate(command, state);
      case 'RevokePat':
        return decideRevoke(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`unknown personal access token command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'GrantCreated':
        return { status: 'active', ...createdProfile(event.data) };
      case 'TokenIssued': {
        if (state.status !== 'active') return state;
        const { tokenId, issuedAt, expiresAt, displayPrefix } = event.data;
        return { ...state, currentToken: { tokenId, issuedAt, expiresAt, displayPrefix } };
      }
      case 'TokenRevoked':
        // Nothing to fold: a PAT's token is revoked either by a regeneration, whose TokenIssued
        // follows and replaces it, or with its grant (GrantRevoked follows), which keeps it as
        // the last token.
        return state;
      case 'GrantRevoked':
        if (state.status !== 'active') return state;
        return { ...profileOf(state), status: 'revoked', revokedAt: event.data.revokedAt, reason: event.data.reason };
      default: {
        const unknown: never = event;
        throw new Error(`unknown personal access token event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

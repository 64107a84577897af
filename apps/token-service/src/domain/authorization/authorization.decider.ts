import { SHA256_BASE64URL_PATTERN, type GrantCreatedData } from '@latchkey/contracts';
import type { Decider } from '@latchkey/eventstore';
import type { GrantCreated, GrantRevoked, TokenIssued, TokenRevoked } from '../pat/pat.decider';
import { coveredBy, requireScopes } from '../scopes';
import { TokenError } from '../token-error';

/**
 * An OAuth grant, on the same `grant` stream and events as a personal access token (see
 * docs/architecture.md): `authorization` — a user's consent to an application, scopes and accounts
 * within the application's — or `client` — an application acting as itself (client_credentials).
 * Its tokens are access tokens and, for authorizations, refresh tokens, each a TokenIssued;
 * refreshing rotates (TokenRevoked `refresh_rotated` + new TokenIssued pair); GrantRevoked ends
 * every token of the grant at once.
 */
export type OAuthGrantKind = Extract<GrantCreatedData['kind'], 'authorization' | 'client'>;

/** Reasons the platform records on its own (a caller's reason is free text). */
export const REFRESH_ROTATED = 'refresh_rotated';
export const CODE_REUSE = 'code_reuse';
export const REFRESH_REUSE = 'refresh_reuse';

export interface OAuthGrantProfile {
  grantId: string;
  kind: OAuthGrantKind;
  /** Null for client grants. */
  userId: string | null;
  clientId: string;
  /** Expanded, sorted. */
  scopes: string[];
  /** Sorted. */
  accountIds: string[];
}
// No token is kept in the state: a remembered grant gains a refresh token at every code exchange
// and a client grant an access token at every client_credentials call, so a state holding them
// would grow with every use. What a command needs about one token comes as TokenFacts, read from
// the token tables under the grant's stream lock — they are projected in the transaction of every
// append to the stream, so they say what its events say. The state stays a few hundred bytes,
// which is what makes the grant's snapshots (OAUTH_GRANT_SNAPSHOT) cheap.

/** One token of the grant as the token tables hold it, read under the grant's stream lock. */
export interface TokenFacts {
  tokenId: string;
  grantId: string;
  tokenKind: 'access' | 'refresh';
  revoked: boolean;
  /** ISO time; null = never (not for OAuth tokens). */
  expiresAt: string | null;
}

/**
 * How the grant's state is snapshotted (see @latchkey/eventstore's snapshots): rename when the
 * state's shape or evolve changes.
 */
export const OAUTH_GRANT_SNAPSHOT = { name: 'oauth-grant@1', every: 32 } as const;

export type OAuthGrantState =
  | { status: 'none' }
  | ({ status: 'active' } & OAuthGrantProfile)
  | ({ status: 'revoked'; revokedAt: string; reason: string } & OAuthGrantProfile);

/** What the application allows now (token-service's read model of the registry). */
export interface ClientFacts {
  clientId: string;
  active: boolean;
  allowedScopes: readonly string[];
  accountIds: readonly string[];
}

export type CreateOAuthGrant = {
  type: 'CreateOAuthGrant';
  grantId: string;
  kind: OAuthGrantKind;
  /** The consenting user (authorization grants); absent for client grants. */
  userId?: string;
  client: ClientFacts;
  scopes: readonly string[];
  accountIds: readonly string[];
  /** For authorizations: the user's accounts (the consent page offers only these). */
  userAccountIds?: readonly string[];
  now: string;
};

export interface NewToken {
  tokenId: string;
  tokenHash: string;
  displayPrefix: string;
  /** Null = never (not used for OAuth tokens, which always expire). */
  expiresAt: string;
}

export type IssueOAuthTokens = {
  type: 'IssueOAuthTokens';
  /** Narrower than the grant, or the grant's scopes (RFC 6749 §6: a refresh may only narrow). */
  scopes: readonly string[];
  access: NewToken;
  refresh?: NewToken;
  /** The refresh token being exchanged: revoked with `refresh_rotated` in the same append. */
  rotates?: TokenFacts;
  /**
   * The new refresh token's scopes when they differ from the access token's: a refresh that
   * narrows the access token keeps the refresh token's own scopes (RFC 6749 §6).
   */
  refreshScopes?: readonly string[];
  now: string;
};

export type RevokeOAuthGrant = {
  type: 'RevokeOAuthGrant';
  reason: string;
  revokedBy?: string;
  now: string;
};

export type RevokeOAuthToken = {
  type: 'RevokeOAuthToken';
  token: TokenFacts;
  reason: string;
  revokedBy?: string;
};

export type OAuthGrantCommand = CreateOAuthGrant | IssueOAuthTokens | RevokeOAuthGrant | RevokeOAuthToken;
export type OAuthGrantEvent = GrantCreated | TokenIssued | TokenRevoked | GrantRevoked;

const TOKEN_HASH = new RegExp(SHA256_BASE64URL_PATTERN);
const PREFIX = { access: /^lk_at_[0-9A-Za-z]{4}$/, refresh: /^lk_rt_[0-9A-Za-z]{4}$/ } as const;

function decideCreate(c: CreateOAuthGrant, state: OAuthGrantState): OAuthGrantEvent[] {
  if (state.status !== 'none') throw new TokenError('GRANT_EXISTS', 'the grant already exists');
  if (!c.client.active) throw new TokenError('CLIENT_NOT_ALLOWED', 'the application is not active');
  if (c.kind === 'authorization' && (c.userId === undefined || c.userAccountIds === undefined))
    throw new Error('an authorization grant needs its user and the user’s accounts');
  if (c.kind === 'client' && c.userId !== undefined) throw new Error('a client grant has no user');
  const scopes = requireScopes([...c.scopes]);
  if (scopes.length === 0) throw new TokenError('SCOPES_REQUIRED', 'a grant needs at least one scope');
  const beyond = scopes.filter((s) => !coveredBy(s, c.client.allowedScopes));
  if (beyond.length > 0)
    throw new TokenError('SCOPE_NOT_GRANTED', `the application may not request ${beyond.slice(0, 5).join(' ')}`);
  const accountIds = [...new Set(c.accountIds)].sort();
  if (accountIds.length === 0) throw new TokenError('ACCOUNTS_REQUIRED', 'a grant needs at least one account');
  for (const accountId of accountIds) {
    if (!c.client.accountIds.includes(accountId))
      throw new TokenError('ACCOUNT_NOT_HELD', 'the application may not act in one of these accounts');
    if (c.userAccountIds !== undefined && !c.userAccountIds.includes(accountId))
      throw new TokenError('ACCOUNT_NOT_HELD', 'the user holds no permissions in one of these accounts');
  }
  return [
    {
      type: 'GrantCreated',
      data: {
        grantId: c.grantId,
        kind: c.kind,
        ...(c.userId === undefined ? {} : { userId: c.userId }),
        clientId: c.client.clientId,
        accountIds,
        scopes,
        createdBy: c.userId ?? c.client.clientId,
      },
    },
  ];
}

function decideIssue(c: IssueOAuthTokens, state: OAuthGrantState): OAuthGrantEvent[] {
  const grant = live(state);
  const scopes = requireScopes([...c.scopes]);
  if (scopes.length === 0) throw new TokenError('SCOPES_REQUIRED', 'a token needs at least one scope');
  const beyond = scopes.filter((s) => !grant.scopes.includes(s));
  if (beyond.length > 0)
    throw new TokenError('SCOPE_NOT_GRANTED', `not granted: ${beyond.slice(0, 5).join(' ')} (a token may only narrow)`);
  if (grant.kind === 'client' && (c.refresh !== undefined || c.rotates !== undefined))
    throw new Error('client grants have no refresh tokens');
  const events: OAuthGrantEvent[] = [];
  if (c.rotates !== undefined) {
    const t = c.rotates;
    if (t.grantId !== grant.grantId || t.tokenKind !== 'refresh' || !isLive(t, c.now))
      throw new TokenError('TOKEN_NOT_LIVE', 'the refresh token is not live');
    events.push({
      type: 'TokenRevoked',
      data: { tokenId: t.tokenId, grantId: grant.grantId, reason: REFRESH_ROTATED },
    });
  }
  events.push(issued(grant, 'access', c.access, scopes, c.now));
  if (c.refresh !== undefined) {
    const refreshScopes = c.refreshScopes === undefined ? scopes : requireScopes([...c.refreshScopes]);
    if (refreshScopes.some((s) => !grant.scopes.includes(s)) || scopes.some((s) => !refreshScopes.includes(s)))
      throw new TokenError(
        'SCOPE_NOT_GRANTED',
        'a refresh token holds the grant’s scopes and those of its access tokens',
      );
    events.push(issued(grant, 'refresh', c.refresh, refreshScopes, c.now));
  }
  return events;
}

function issued(
  grant: OAuthGrantProfile,
  kind: 'access' | 'refresh',
  token: NewToken,
  scopes: string[],
  now: string,
): TokenIssued {
  if (typeof token.tokenHash !== 'string' || !TOKEN_HASH.test(token.tokenHash))
    throw new Error('tokenHash must be the SHA-256 (base64url) of the token');
  if (!PREFIX[kind].test(token.displayPrefix))
    throw new Error(`displayPrefix must be the ${kind} token's kind prefix and 4 characters, never more`);
  if (!(Date.parse(token.expiresAt) > Date.parse(now))) throw new Error('an OAuth token must expire after now');
  return {
    type: 'TokenIssued',
    data: {
      tokenId: token.tokenId,
      grantId: grant.grantId,
      tokenKind: kind,
      tokenHash: token.tokenHash,
      displayPrefix: token.displayPrefix,
      ...(grant.userId === null ? {} : { userId: grant.userId }),
      clientId: grant.clientId,
      accountIds: grant.accountIds,
      scopes,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(token.expiresAt).toISOString(),
      issuedBy: grant.userId ?? grant.clientId,
    },
  };
}

function decideRevokeGrant(c: RevokeOAuthGrant, state: OAuthGrantState): OAuthGrantEvent[] {
  if (state.status === 'none') throw new TokenError('GRANT_NOT_FOUND', 'grant not found');
  if (state.status === 'revoked') return []; // idempotent
  return [
    {
      type: 'GrantRevoked',
      data: {
        grantId: state.grantId,
        ...(state.userId === null ? {} : { userId: state.userId }),
        clientId: state.clientId,
        reason: c.reason,
        revokedAt: new Date(c.now).toISOString(),
        ...(c.revokedBy === undefined ? {} : { revokedBy: c.revokedBy }),
      },
    },
  ];
}

function decideRevokeToken(c: RevokeOAuthToken, state: OAuthGrantState): OAuthGrantEvent[] {
  // RFC 7009: revoking what is already gone (or another grant's) does nothing
  if (state.status !== 'active' || c.token.grantId !== state.grantId || c.token.revoked) return [];
  return [
    {
      type: 'TokenRevoked',
      data: {
        tokenId: c.token.tokenId,
        grantId: state.grantId,
        reason: c.reason,
        ...(c.revokedBy === undefined ? {} : { revokedBy: c.revokedBy }),
      },
    },
  ];
}

/** Not revoked and not expired at `now` (an expiry is exclusive: at expiresAt the token is dead). */
function isLive(token: TokenFacts, now: string): boolean {
  return !token.revoked && (token.expiresAt === null || Date.parse(token.expiresAt) > Date.parse(now));
}

function live(state: OAuthGrantState): Extract<OAuthGrantState, { status: 'active' }> {
  if (state.status === 'none') throw new TokenError('GRANT_NOT_FOUND', 'grant not found');
  if (state.status === 'revoked') throw new TokenError('GRANT_REVOKED', 'the grant was revoked');
  return state;
}

function profileOf(state: Exclude<OAuthGrantState, { status: 'none' }>): OAuthGrantProfile {
  const { grantId, kind, userId, clientId, scopes, accountIds } = state;
  return { grantId, kind, userId, clientId, scopes, accountIds };
}

export const oauthGrantDecider: Decider<OAuthGrantCommand, OAuthGrantState, OAuthGrantEvent> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'CreateOAuthGrant':
        return decideCreate(command, state);
      case 'IssueOAuthTokens':
        return decideIssue(command, state);
      case 'RevokeOAuthGrant':
        return decideRevokeGrant(command, state);
      case 'RevokeOAuthToken':
        return decideRevokeToken(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`unknown OAuth grant command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'GrantCreated': {
        const d = event.data;
        if ((d.kind !== 'authorization' && d.kind !== 'client') || d.clientId === undefined)
          throw new TokenError('GRANT_KIND_MISMATCH', `grant ${d.grantId} is not an OAuth grant (kind ${d.kind})`);
        return {
          status: 'active',
          grantId: d.grantId,
          kind: d.kind,
          userId: d.userId ?? null,
          clientId: d.clientId,
          scopes: [...d.scopes],
          accountIds: [...d.accountIds],
        };
      }
      case 'TokenIssued':
      case 'TokenRevoked':
        return state; // tokens live in the token tables (see TokenFacts)
      case 'GrantRevoked':
        if (state.status !== 'active') return state;
        return {
          ...profileOf(state),
          status: 'revoked',
          revokedAt: event.data.revokedAt,
          reason: event.data.reason,
        };
      default: {
        const unknown: never = event;
        throw new Error(`unknown OAuth grant event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

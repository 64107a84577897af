import type { LatchkeyEvent } from '@latchkey/contracts';

/** One live token, keyed by its hash. Strings are shared with the grant where possible. */
export interface TokenEntry {
  tokenId: string;
  grantId: string;
  kind: 'pat' | 'access' | 'refresh';
  userId: string | null;
  clientId: string | null;
  accountIds: readonly string[];
  scopes: readonly string[];
  /** epoch ms, or null for no expiry */
  expiresAt: number | null;
}

/**
 * What stays of a revoked token until it would have expired: a revoked token must answer
 * "revoked" from the projection (never "unknown", which would send it to introspection).
 */
export interface RevokedEntry {
  revoked: 'token_revoked' | 'grant_revoked';
  expiresAt: number | null;
}

interface UserEntry {
  version: number;
  deactivated: boolean;
  kind: 'human' | 'api' | 'contact' | null;
  /** accountId → resolved permissions */
  permissions: Map<string, readonly string[]>;
}

interface ApplicationEntry {
  version: number;
  disabled: boolean;
}

/**
 * The verifier's state, fed by tokens.events.v1, identity.events.v1 and applications.events.v1.
 *
 * - One reducer per event type; each is idempotent (applying an event twice changes nothing).
 * - Order-tolerant across topics: revocations are remembered as tombstones, so a TokenRevoked or
 *   GrantRevoked seen before its TokenIssued still wins; user and application state ignore an
 *   event whose aggregateVersion is not newer than the one applied.
 * - Revoked and expired tokens are evicted, so memory tracks live tokens.
 * - A reactivated user gets back only what was never revoked: grant revocations are separate
 *   tombstones that UserReactivated does not touch.
 */
export class TokenProjection {
  private readonly tokens = new Map<string, TokenEntry | RevokedEntry>();
  private readonly hashByTokenId = new Map<string, string>();
  private readonly tokenIdsByGrant = new Map<string, string[]>();
  private readonly revokedTokens = new Set<string>();
  private readonly revokedGrants = new Set<string>();
  private readonly users = new Map<string, UserEntry>();
  private readonly applications = new Map<string, ApplicationEntry>();
  private lastAppliedAt: number | null = null;

  constructor(private readonly clock: () => number = Date.now) {}

  apply(event: LatchkeyEvent): void {
    switch (event.type) {
      case 'TokenIssued': {
        const d = event.data;
        const expiresAt = d.expiresAt === null ? null : Date.parse(d.expiresAt);
        if (expiresAt !== null && expiresAt <= this.clock()) break;
        if (this.revokedGrants.has(d.grantId) || this.revokedTokens.has(d.tokenId)) {
          this.tokens.set(d.tokenHash, { revoked: this.revokedGrants.has(d.grantId) ? 'grant_revoked' : 'token_revoked', expiresAt });
          break;
        }
        this.tokens.set(d.tokenHash, {
          tokenId: d.tokenId,
          grantId: d.grantId,
          kind: d.tokenKind,
          userId: d.userId ?? null,
          clientId: d.clientId ?? null,
          accountIds: d.accountIds,
          scopes: d.scopes,
          expiresAt,
        });
        this.hashByTokenId.set(d.tokenId, d.tokenHash);
        const ids = this.tokenIdsByGrant.get(d.grantId);
        if (!ids) this.tokenIdsByGrant.set(d.grantId, [d.tokenId]);
        else if (!ids.includes(d.tokenId)) ids.push(d.tokenId);
        break;
      }
      case 'TokenRevoked':
        this.revokedTokens.add(event.data.tokenId);
        this.revoke(event.data.tokenId, 'token_revoked');
        break;
      case 'GrantRevoked': {
        const grantId = event.data.grantId;
        this.revokedGrants.add(grantId);
        for (const tokenId of this.tokenIdsByGrant.get(grantId) ?? []) this.revoke(tokenId, 'grant_revoked');
        this.tokenIdsByGrant.delete(grantId);
        break;
      }
      case 'GrantCreated':
      case 'TokensUsed':
      case 'AccountCreated':
        break;
      case 'UserRegistered':
        this.user(event.data.userId, event.aggregateVersion, (u) => (u.kind = event.data.kind));
        break;
      case 'MembershipChanged':
        this.user(event.data.userId, event.aggregateVersion, (u) => {
          if (event.data.permissions.length === 0) u.permissions.delete(event.data.accountId);
          else u.permissions.set(event.data.accountId, event.data.permissions);
        });
        break;
      case 'UserDeactivated':
        this.user(event.data.userId, event.aggregateVersion, (u) => (u.deactivated = true));
        break;
      case 'UserReactivated':
        this.user(event.data.userId, event.aggregateVersion, (u) => (u.deactivated = false));
        break;
      case 'ApplicationDisabled':
      case 'ApplicationDeleted':
        this.application(event.data.clientId, event.aggregateVersion, true);
        break;
      case 'ApplicationEnabled':
      case 'ApplicationRegistered':
        this.application(event.data.clientId, event.aggregateVersion, false);
        break;
      case 'ApplicationUpdated':
      case 'ApplicationSecretRotated':
        break;
      default: {
        const never: never = event;
        void never;
      }
    }
    this.lastAppliedAt = this.clock();
  }

  /** Drops expired tokens; returns how many. Call it periodically. */
  evictExpired(now: number = this.clock()): number {
    let n = 0;
    for (const [hash, entry] of this.tokens) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) {
        if ('revoked' in entry) this.tokens.delete(hash);
        else this.evictToken(entry.tokenId, hash);
        n++;
      }
    }
    return n;
  }

  token(hash: string): TokenEntry | RevokedEntry | undefined {
    return this.tokens.get(hash);
  }

  isTokenRevoked(tokenId: string): boolean {
    return this.revokedTokens.has(tokenId);
  }

  isGrantRevoked(grantId: string): boolean {
    return this.revokedGrants.has(grantId);
  }

  isUserDeactivated(userId: string): boolean {
    return this.users.get(userId)?.deactivated ?? false;
  }

  userKind(userId: string): UserEntry['kind'] {
    return this.users.get(userId)?.kind ?? null;
  }

  permissions(userId: string, accountId: string): readonly string[] {
    return this.users.get(userId)?.permissions.get(accountId) ?? [];
  }

  isApplicationDisabled(clientId: string): boolean {
    return this.applications.get(clientId)?.disabled ?? false;
  }

  /** Live tokens (tombstones of revoked ones not counted). */
  get size(): number {
    return this.hashByTokenId.size;
  }

  get lastEventAppliedAt(): number | null {
    return this.lastAppliedAt;
  }

  /** Replaces a live token by its tombstone (kept until it would have expired). */
  private revoke(tokenId: string, reason: RevokedEntry['revoked']): void {
    const hash = this.hashByTokenId.get(tokenId);
    if (hash === undefined) return;
    const entry = this.tokens.get(hash);
    this.evictToken(tokenId, hash);
    if (entry && !('revoked' in entry)) this.tokens.set(hash, { revoked: reason, expiresAt: entry.expiresAt });
  }

  private evictToken(tokenId: string, hash = this.hashByTokenId.get(tokenId)): void {
    if (hash === undefined) return;
    const entry = this.tokens.get(hash);
    this.tokens.delete(hash);
    this.hashByTokenId.delete(tokenId);
    if (!entry || 'revoked' in entry) return;
    const ids = this.tokenIdsByGrant.get(entry.grantId);
    if (!ids) return;
    const rest = ids.filter((id) => id !== tokenId);
    if (rest.length === 0) this.tokenIdsByGrant.delete(entry.grantId);
    else this.tokenIdsByGrant.set(entry.grantId, rest);
  }

  private user(userId: string, version: number, change: (u: UserEntry) => void): void {
    let u = this.users.get(userId);
    if (!u) {
      u = { version: 0, deactivated: false, kind: null, permissions: new Map() };
      this.users.set(userId, u);
    }
    if (version <= u.version) return; // redelivered or stale
    change(u);
    u.version = version;
  }

  private application(clientId: string, version: number, disabled: boolean): void {
    const a = this.applications.get(clientId) ?? { version: 0, disabled: false };
    if (version <= a.version) return;
    a.version = version;
    a.disabled = disabled;
    this.applications.set(clientId, a);
  }
}

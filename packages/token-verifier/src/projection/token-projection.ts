import { hash } from 'node:crypto';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { NO_SCOPES } from './scopes';

/**
 * One live token, keyed by its SHA-256 as 32 one-byte characters (see tokenKey). Kept small (docs/benchmarks.md, heap per live token): ids
 * are stored compacted (see compactId), user/client ids and the scope and account lists are
 * interned (shared by every token that has the same), and the expiry is whole seconds since
 * 2020 (a small integer, not a heap number). Read it through the projection's accessors.
 */
export interface TokenEntry {
  readonly tokenId: string;
  readonly grantId: string;
  readonly userId: string | null;
  readonly clientId: string | null;
  readonly accountIds: readonly string[];
  readonly scopes: readonly string[];
  /** seconds since EPOCH_2020, or -1 for no expiry */
  readonly exp: number;
}

const EPOCH_2020 = Date.UTC(2020, 0, 1);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COMPACT = '\u0001';

/** A lowercase UUID as 17 one-byte characters (marker + 16 raw bytes) instead of 36. */
export function compactId(id: string): string {
  if (!UUID.test(id)) return id;
  // One Buffer decoded once gives a flat 17-byte string; concatenating the marker would leave a
  // ConsString (20 B more per id, and more again once it is flattened by a Set lookup).
  const bytes = Buffer.allocUnsafe(17);
  bytes[0] = 1;
  bytes.write(id.replace(/-/g, ''), 1, 'hex');
  return bytes.toString('latin1');
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The UUID back from compactId (on the verify path: a table lookup per byte, no Buffer). */
export function expandId(id: string): string {
  if (id.length !== 17 || id[0] !== COMPACT) return id;
  let out = '';
  for (let i = 1; i < 17; i++) {
    if (i === 5 || i === 7 || i === 9 || i === 11) out += '-';
    out += HEX[id.charCodeAt(i)];
  }
  return out;
}

/** The projection's key of a raw token: its SHA-256 digest as 32 one-byte characters. */
export function tokenKey(token: string): string {
  return hash('sha256', token, 'binary'); // 'binary' is latin1: one character per digest byte
}

/** The projection's key of a published tokenHash (SHA-256, base64url). */
export function tokenKeyOfHash(tokenHash: string): string {
  return Buffer.from(tokenHash, 'base64url').toString('latin1');
}

/** Expiry in epoch ms (null: none); rounded down to the second, so never later than issued. */
export function expiresAtMs(entry: Pick<TokenEntry, 'exp'> | RevokedEntry): number | null {
  return entry.exp < 0 ? null : EPOCH_2020 + entry.exp * 1000;
}

function toExp(iso: string | null): number {
  return iso === null ? -1 : Math.floor((Date.parse(iso) - EPOCH_2020) / 1000);
}

/**
 * What stays of a revoked token until it would have expired: a revoked token must answer
 * "revoked" from the projection (never "unknown", which would send it to introspection).
 */
export interface RevokedEntry {
  readonly revoked: 'token_revoked' | 'grant_revoked';
  readonly exp: number;
  /** When the sweep made it a tombstone (seconds since EPOCH_2020): one that never expires goes after the retention. */
  readonly at: number;
}

/**
 * A user as the projection knows them. Each part carries the aggregate version of the event that
 * set it, so an older event arriving late (e.g. from Kafka, after the service applied its own newer
 * one at commit) is ignored for that part only and still applied to the others.
 */
export interface UserEntry {
  /** The newest aggregate version applied to any part. */
  version: number;
  deactivated: boolean;
  kind: 'human' | 'api' | 'contact' | null;
  /** accountId → resolved permissions */
  permissions: Map<string, readonly string[]>;
  kindVersion: number;
  statusVersion: number;
  /** accountId → version of the MembershipChanged that set it (kept when a membership is removed) */
  permissionVersions: Map<string, number>;
}

export interface ApplicationEntry {
  version: number;
  disabled: boolean;
  /** Latchkey's own console (see ApplicationFacts.console). */
  console: boolean;
  /** What the application may request now (interned); null until its registration is seen. */
  allowedScopes: readonly string[] | null;
  /** Where the application may act now (interned); null until its registration is seen. */
  accountIds: readonly string[] | null;
}

export interface TokenProjectionOptions {
  /** How long a revoked token that never expires stays a tombstone after the sweep (default 7 days). */
  tombstoneRetentionMs?: number;
}

const DEFAULT_TOMBSTONE_RETENTION_MS = 7 * 86_400_000;

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
  private readonly interned = new Map<string, string>();
  private readonly internedLists = new Map<string, readonly string[]>();
  private readonly sorted = new WeakMap<readonly string[], readonly string[]>();
  private live = 0;
  // Revocations by id, in two generations: the sweep turns every revoked live entry into a hash
  // tombstone and then drops the older generation, so an id is remembered for one to two sweep
  // intervals — long enough for a TokenIssued applied after its revocation (a service applies its
  // own events at commit, before their Kafka copies arrive), and memory does not grow for ever.
  private revokedTokens = new Set<string>();
  private revokedGrants = new Set<string>();
  private olderRevokedTokens = new Set<string>();
  private olderRevokedGrants = new Set<string>();
  private readonly users = new Map<string, UserEntry>();
  private readonly applications = new Map<string, ApplicationEntry>();
  private lastAppliedAt: number | null = null;
  private readonly tombstoneRetentionS: number;

  constructor(
    private readonly clock: () => number = Date.now,
    options: TokenProjectionOptions = {},
  ) {
    this.tombstoneRetentionS = Math.floor((options.tombstoneRetentionMs ?? DEFAULT_TOMBSTONE_RETENTION_MS) / 1000);
  }

  apply(event: LatchkeyEvent): void {
    switch (event.type) {
      case 'TokenIssued': {
        const d = event.data;
        const exp = toExp(d.expiresAt);
        if (exp >= 0 && EPOCH_2020 + exp * 1000 <= this.clock()) break;
        const grantId = compactId(d.grantId);
        const tokenId = compactId(d.tokenId);
        const key = tokenKeyOfHash(d.tokenHash);
        const existing = this.tokens.get(key);
        if (existing) break; // redelivered
        const revoked = this.revokedById(tokenId, grantId);
        if (revoked !== null) {
          this.tokens.set(key, { revoked, exp, at: this.nowS() });
          break;
        }
        this.tokens.set(key, {
          tokenId,
          grantId,
          userId: d.userId === undefined ? null : this.intern(d.userId),
          clientId: d.clientId === undefined ? null : this.intern(d.clientId),
          accountIds: this.internList(d.accountIds),
          scopes: this.internList(d.scopes),
          exp,
        });
        this.live++;
        break;
      }
      // Revocations are recorded by id and checked on every verification (a Set lookup), so no
      // grant → token index is needed; the periodic sweep turns revoked entries into tombstones.
      case 'TokenRevoked':
        this.revokedTokens.add(compactId(event.data.tokenId));
        break;
      case 'GrantRevoked':
        this.revokedGrants.add(compactId(event.data.grantId));
        break;
      case 'GrantCreated':
      case 'TokenPolicyChanged':
      case 'TokensUsed':
      case 'AccountCreated':
        break;
      case 'UserRegistered': {
        const u = this.userEntry(event.data.userId, event.aggregateVersion);
        if (event.aggregateVersion > u.kindVersion) {
          u.kind = event.data.kind;
          u.kindVersion = event.aggregateVersion;
        }
        break;
      }
      case 'MembershipChanged': {
        const { accountId, permissions } = event.data;
        const u = this.userEntry(event.data.userId, event.aggregateVersion);
        if (event.aggregateVersion > (u.permissionVersions.get(accountId) ?? 0)) {
          u.permissionVersions.set(accountId, event.aggregateVersion);
          if (permissions.length === 0) u.permissions.delete(accountId);
          else u.permissions.set(accountId, this.internList(permissions));
        }
        break;
      }
      case 'UserDeactivated':
      case 'UserReactivated': {
        const u = this.userEntry(event.data.userId, event.aggregateVersion);
        if (event.aggregateVersion > u.statusVersion) {
          u.deactivated = event.type === 'UserDeactivated';
          u.statusVersion = event.aggregateVersion;
        }
        break;
      }
      case 'ApplicationDisabled':
      case 'ApplicationDeleted':
        this.changeApplication(event.data.clientId, event.aggregateVersion, { disabled: true });
        break;
      case 'ApplicationEnabled':
        this.changeApplication(event.data.clientId, event.aggregateVersion, { disabled: false });
        break;
      case 'ApplicationRegistered':
        this.changeApplication(event.data.clientId, event.aggregateVersion, {
          disabled: false,
          console: event.data.console === true,
          allowedScopes: event.data.allowedScopes,
          accountIds: event.data.accountIds,
        });
        break;
      case 'ApplicationUpdated':
        this.changeApplication(event.data.clientId, event.aggregateVersion, {
          ...(event.data.allowedScopes === undefined ? {} : { allowedScopes: event.data.allowedScopes }),
          ...(event.data.accountIds === undefined ? {} : { accountIds: event.data.accountIds }),
        });
        break;
      case 'ApplicationSecretRotated':
        this.changeApplication(event.data.clientId, event.aggregateVersion, {});
        break;
      default: {
        const never: never = event;
        void never;
      }
    }
    this.lastAppliedAt = this.clock();
  }

  /**
   * The sweep: drops expired tokens and tombstones, and turns revoked tokens into tombstones, so
   * memory tracks live tokens. Returns how many entries it dropped or turned. Call it periodically.
   */
  evictExpired(now: number = this.clock()): number {
    const limit = Math.floor((now - EPOCH_2020) / 1000);
    let n = 0;
    for (const [key, entry] of this.tokens) {
      const live = !('revoked' in entry);
      if (entry.exp >= 0 && entry.exp <= limit) {
        this.tokens.delete(key);
        if (live) this.live--;
        n++;
      } else if (live) {
        const revoked = this.revocationOf(entry);
        if (revoked) {
          this.tokens.set(key, { revoked, exp: entry.exp, at: limit });
          this.live--;
          n++;
        }
      } else if (entry.exp < 0 && limit - entry.at > this.tombstoneRetentionS) {
        // a revoked token that never expires: after the retention it answers "unknown", which
        // still fails closed (token-service's introspection says inactive)
        this.tokens.delete(key);
        n++;
      }
    }
    // every live entry revoked so far is a hash tombstone now: the older generation of ids can go
    this.olderRevokedTokens = this.revokedTokens;
    this.olderRevokedGrants = this.revokedGrants;
    this.revokedTokens = new Set();
    this.revokedGrants = new Set();
    return n;
  }

  /** Whether a live entry's token or grant has been revoked since it was issued. */
  revocationOf(entry: TokenEntry): RevokedEntry['revoked'] | null {
    return this.revokedById(entry.tokenId, entry.grantId);
  }

  private revokedById(tokenId: string, grantId: string): RevokedEntry['revoked'] | null {
    if (this.revokedTokens.has(tokenId) || this.olderRevokedTokens.has(tokenId)) return 'token_revoked';
    if (this.revokedGrants.has(grantId) || this.olderRevokedGrants.has(grantId)) return 'grant_revoked';
    return null;
  }

  /** Revocations remembered by id (both generations), for the memory figures. */
  get revocationsById(): number {
    return (
      this.revokedTokens.size + this.olderRevokedTokens.size + this.revokedGrants.size + this.olderRevokedGrants.size
    );
  }

  /** Entries kept for revoked tokens (answering "revoked" rather than "unknown"). */
  get tombstones(): number {
    return this.tokens.size - this.live;
  }

  /** The entry of a token, by its key (tokenKey / tokenKeyOfHash). */
  token(key: string): TokenEntry | RevokedEntry | undefined {
    return this.tokens.get(key);
  }

  /** What the projection knows of a user (one lookup for the verify path), or undefined. */
  user(userId: string): Readonly<UserEntry> | undefined {
    return this.users.get(userId);
  }

  isUserDeactivated(userId: string): boolean {
    return this.users.get(userId)?.deactivated ?? false;
  }

  userKind(userId: string): UserEntry['kind'] {
    return this.users.get(userId)?.kind ?? null;
  }

  permissions(userId: string, accountId: string): readonly string[] {
    return this.users.get(userId)?.permissions.get(accountId) ?? NO_SCOPES;
  }

  /** A client token's scopes, sorted (memoized per interned list). */
  sortedScopes(scopes: readonly string[]): readonly string[] {
    let sorted = this.sorted.get(scopes);
    if (sorted === undefined) this.sorted.set(scopes, (sorted = Object.freeze([...scopes].sort())));
    return sorted;
  }

  isApplicationDisabled(clientId: string): boolean {
    return this.applications.get(clientId)?.disabled ?? false;
  }

  /** What the projection knows of an application, or undefined. */
  application(clientId: string): Readonly<ApplicationEntry> | undefined {
    return this.applications.get(clientId);
  }

  /** Live tokens (revoked ones count until the next sweep turns them into tombstones). */
  get size(): number {
    return this.live;
  }

  get lastEventAppliedAt(): number | null {
    return this.lastAppliedAt;
  }

  private intern(value: string): string {
    const have = this.interned.get(value);
    if (have !== undefined) return have;
    this.interned.set(value, value);
    return value;
  }

  private internList(values: readonly string[]): readonly string[] {
    const key = values.join('\u0000');
    const have = this.internedLists.get(key);
    if (have !== undefined) return have;
    const list = Object.freeze(values.map((v) => this.intern(v)));
    this.internedLists.set(key, list);
    return list;
  }

  /** The user's entry (created on first sight), its newest version raised to `version`. */
  private userEntry(userId: string, version: number): UserEntry {
    let u = this.users.get(userId);
    if (!u) {
      u = {
        version: 0,
        deactivated: false,
        kind: null,
        permissions: new Map(),
        kindVersion: 0,
        statusVersion: 0,
        permissionVersions: new Map(),
      };
      this.users.set(this.intern(userId), u);
    }
    if (version > u.version) u.version = version;
    return u;
  }

  private nowS(): number {
    return Math.floor((this.clock() - EPOCH_2020) / 1000);
  }

  /** One application event, applied if newer than what is known (per-client order is Kafka's). */
  private changeApplication(
    clientId: string,
    version: number,
    change: {
      disabled?: boolean;
      console?: boolean;
      allowedScopes?: readonly string[];
      accountIds?: readonly string[];
    },
  ): void {
    const a = this.applications.get(clientId) ?? {
      version: 0,
      disabled: false,
      console: false,
      allowedScopes: null,
      accountIds: null,
    };
    if (version <= a.version) return;
    a.version = version;
    if (change.disabled !== undefined) a.disabled = change.disabled;
    if (change.console !== undefined) a.console = change.console;
    if (change.allowedScopes !== undefined) a.allowedScopes = this.internList(change.allowedScopes);
    if (change.accountIds !== undefined) a.accountIds = this.internList(change.accountIds);
    this.applications.set(clientId, a);
  }
}

import {
  decideActive,
  type ActiveToken,
  type ApplicationFacts,
  type UserFacts,
  type VerifyOptions,
  type VerifyResult,
} from '../activity/token-activity';

/** An application the local projection does not know as new as the answer: active, as the answer says. */
const ANSWERED_APPLICATION: ApplicationFacts = Object.freeze({
  disabled: false,
  console: false,
  allowedScopes: null,
  accountIds: null,
});

/**
 * What the fallback learns about a token the projection does not know yet (used milliseconds
 * after issue): the fields of an RFC 7662 introspection answer that verification needs.
 */
export interface IntrospectedToken {
  active: boolean;
  sub?: string;
  subject_kind?: ActiveToken['subjectKind'];
  token_id?: string;
  grant_id?: string;
  client_id?: string;
  accounts?: string[];
  /** space-separated scopes effective in every account of the token (token scopes ∩ the user's permissions) */
  scope?: string;
  /** seconds since the epoch */
  exp?: number;
  /** The aggregate version of the user as token-service knew them (to compare with the local projection's). */
  user_version?: number;
  /** Likewise for the token's application. */
  application_version?: number;
}

/** Looks a token up elsewhere, by its hash (the raw token never leaves the process). */
export type IntrospectFn = (tokenHash: string) => Promise<IntrospectedToken>;

/**
 * What the local projection knows of users and applications: an introspected answer is combined
 * with it, whichever is newer wins (a deactivation or a disabled application seen here first still
 * stops the token).
 */
export interface LocalSubjectState {
  user(userId: string): (UserFacts & { version: number }) | undefined;
  application(clientId: string): (ApplicationFacts & { version: number }) | undefined;
}

export interface MissFallbackOptions {
  introspect: IntrospectFn;
  /** Introspection calls allowed per second, all tokens together (token bucket; default 20). */
  ratePerSecond?: number;
  /** Burst size of the bucket (default = ratePerSecond). */
  burst?: number;
  /**
   * Calls per second allowed for one client (the `clientKey` of a lookup, e.g. its address), so one
   * client flooding random well-formed tokens cannot use up the global budget (default 2; burst 2×).
   */
  perClientPerSecond?: number;
  /** Clients whose budget is remembered at once (least recently used ones go first; default 10,000). */
  clientBuckets?: number;
  /** How long an answer is cached, positive or negative (default 5 s). */
  cacheTtlMs?: number;
  /** Bound on cached answers (default 10,000). */
  cacheSize?: number;
  clock?: () => number;
}

export interface LookupContext {
  /** Who is asking (a client address): each has a budget of its own within the global one. */
  clientKey?: string;
  /** The local projection's users and applications, applied over the answer. */
  local?: LocalSubjectState;
}

class Bucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes one if there is one (refilling first). */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Gives one back (the other budget refused the call). */
  giveBack(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}

/**
 * The verifier's miss fallback: one introspection call for a well-formed, unknown token,
 * rate-limited (globally, and per client) and briefly cached, so random well-formed tokens cannot
 * turn the gateway into an amplifier against the token service, nor one client starve the fresh
 * tokens of everyone else. Over a budget, a miss simply stays "unknown". The answer goes through
 * the same `decideActive` as the projection, with the newer of the local and the introspected
 * user/application state.
 */
export class MissFallback {
  private readonly ttl: number;
  private readonly size: number;
  private readonly clock: () => number;
  private readonly global: Bucket;
  private readonly perClientRate: number;
  private readonly maxClients: number;
  private readonly clients = new Map<string, Bucket>();
  private readonly cache = new Map<string, { at: number; answer: IntrospectedToken }>();
  private readonly inFlight = new Map<string, Promise<IntrospectedToken | null>>();
  calls = 0;
  /** Lookups refused because one client's budget was spent (the global one was not asked). */
  refusedPerClient = 0;

  constructor(private readonly options: MissFallbackOptions) {
    const rate = options.ratePerSecond ?? 20;
    this.ttl = options.cacheTtlMs ?? 5_000;
    this.size = options.cacheSize ?? 10_000;
    this.clock = options.clock ?? Date.now;
    this.global = new Bucket(rate, options.burst ?? rate, this.clock());
    this.perClientRate = options.perClientPerSecond ?? 2;
    this.maxClients = options.clientBuckets ?? 10_000;
  }

  /** Resolves the miss, or returns `unknown` when over a budget or the lookup fails. */
  async resolve(tokenHash: string, options: VerifyOptions, context: LookupContext = {}): Promise<VerifyResult> {
    const answer = await this.lookup(tokenHash, context.clientKey);
    if (!answer) return { active: false, reason: 'unknown' };
    return decideIntrospected(answer, options, this.clock(), context.local);
  }

  private async lookup(tokenHash: string, clientKey: string | undefined): Promise<IntrospectedToken | null> {
    const now = this.clock();
    const cached = this.cache.get(tokenHash);
    if (cached && now - cached.at < this.ttl) return cached.answer;
    const pending = this.inFlight.get(tokenHash);
    if (pending) return pending;
    if (!this.take(now, clientKey)) return null;
    const call = (async () => {
      this.calls++;
      try {
        const answer = await this.options.introspect(tokenHash);
        this.remember(tokenHash, answer);
        return answer;
      } catch {
        return null; // the token service is unreachable: fail closed, as unknown
      } finally {
        this.inFlight.delete(tokenHash);
      }
    })();
    this.inFlight.set(tokenHash, call);
    return call;
  }

  private take(now: number, clientKey: string | undefined): boolean {
    if (this.perClientRate <= 0 || clientKey === undefined) return this.global.take(now);
    const client = this.clientBucket(clientKey, now);
    if (!client.take(now)) {
      this.refusedPerClient++;
      return false;
    }
    if (this.global.take(now)) return true;
    client.giveBack();
    return false;
  }

  private clientBucket(key: string, now: number): Bucket {
    let bucket = this.clients.get(key);
    if (bucket) {
      this.clients.delete(key); // re-insert: Map order is recency order
    } else {
      if (this.clients.size >= this.maxClients) this.evictClients(now);
      bucket = new Bucket(this.perClientRate, Math.max(1, this.perClientRate * 2), now);
    }
    this.clients.set(key, bucket);
    return bucket;
  }

  /** Drops full buckets (indistinguishable from new ones), else the least recently used. */
  private evictClients(now: number): void {
    for (const [key, bucket] of this.clients) if (bucket.full(now)) this.clients.delete(key);
    if (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
  }

  private remember(tokenHash: string, answer: IntrospectedToken): void {
    if (this.cache.size >= this.size) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(tokenHash, { at: this.clock(), answer });
  }
}

/**
 * An introspection answer through `decideActive`. Its `scope` already is token scopes ∩ the user's
 * permissions at token-service in every account; when the local projection knows the user at least
 * as recently (version), the local state decides (deactivation, current permissions) instead;
 * likewise for the application.
 */
export function decideIntrospected(
  a: IntrospectedToken,
  options: VerifyOptions,
  now: number,
  local?: LocalSubjectState,
): VerifyResult {
  if (!a.active || !a.token_id || !a.grant_id) return { active: false, reason: 'unknown' };
  const accounts = a.accounts ?? [];
  const scopes = (a.scope ?? '').split(' ').filter(Boolean);
  const userId = a.subject_kind === 'client' ? null : (a.sub ?? null);
  const clientId = a.client_id ?? null;
  let user: UserFacts | undefined;
  if (userId !== null) {
    const known = local?.user(userId);
    user =
      known !== undefined && known.version >= (a.user_version ?? 0)
        ? known
        : {
            deactivated: false,
            kind: a.subject_kind === 'client' ? null : (a.subject_kind ?? null),
            permissions: new Map(accounts.map((account) => [account, scopes])),
          };
  }
  // the local state of the application if it is as new as the answer's, else what the answer says
  // (active; its ceiling was applied to `scope` by token-service)
  const known = clientId === null ? undefined : local?.application(clientId);
  const application =
    known !== undefined && known.version >= (a.application_version ?? 0) ? known : ANSWERED_APPLICATION;
  return decideActive(
    {
      tokenId: a.token_id,
      grantId: a.grant_id,
      userId,
      clientId,
      accountIds: accounts,
      scopes,
      expiresAtMs: a.exp === undefined ? null : a.exp * 1000,
      revoked: null,
    },
    user,
    application,
    options,
    now,
  );
}

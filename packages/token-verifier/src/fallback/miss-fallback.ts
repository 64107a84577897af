import type { ActiveToken, VerifyOptions, VerifyResult } from '../verify';
import { missingScopes } from '../projection/scopes';

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
  /** space-separated effective scopes (already intersected with the user's permissions) */
  scope?: string;
  /** seconds since the epoch */
  exp?: number;
}

/** Looks a token up elsewhere, by its hash (the raw token never leaves the process). */
export type IntrospectFn = (tokenHash: string) => Promise<IntrospectedToken>;

export interface MissFallbackOptions {
  introspect: IntrospectFn;
  /** Introspection calls allowed per second, all tokens together (token bucket; default 20). */
  ratePerSecond?: number;
  /** Burst size of the bucket (default = ratePerSecond). */
  burst?: number;
  /** How long an answer is cached, positive or negative (default 5 s). */
  cacheTtlMs?: number;
  /** Bound on cached answers (default 10,000). */
  cacheSize?: number;
  clock?: () => number;
}

/**
 * The verifier's miss fallback: one introspection call for a well-formed, unknown token,
 * rate-limited and briefly cached, so random well-formed tokens cannot turn the gateway into an
 * amplifier against the token service. Over the rate, a miss simply stays "unknown".
 */
export class MissFallback {
  private readonly rate: number;
  private readonly burst: number;
  private readonly ttl: number;
  private readonly size: number;
  private readonly clock: () => number;
  private tokens: number;
  private refilledAt: number;
  private readonly cache = new Map<string, { at: number; answer: IntrospectedToken }>();
  private readonly inFlight = new Map<string, Promise<IntrospectedToken | null>>();
  calls = 0;

  constructor(private readonly options: MissFallbackOptions) {
    this.rate = options.ratePerSecond ?? 20;
    this.burst = options.burst ?? this.rate;
    this.ttl = options.cacheTtlMs ?? 5_000;
    this.size = options.cacheSize ?? 10_000;
    this.clock = options.clock ?? Date.now;
    this.tokens = this.burst;
    this.refilledAt = this.clock();
  }

  /** Resolves the miss, or returns `unknown` when over the rate or the lookup fails. */
  async resolve(tokenHash: string, options: VerifyOptions): Promise<VerifyResult> {
    const answer = await this.lookup(tokenHash);
    if (!answer) return { active: false, reason: 'unknown' };
    return toResult(answer, options, this.clock());
  }

  private async lookup(tokenHash: string): Promise<IntrospectedToken | null> {
    const now = this.clock();
    const cached = this.cache.get(tokenHash);
    if (cached && now - cached.at < this.ttl) return cached.answer;
    const pending = this.inFlight.get(tokenHash);
    if (pending) return pending;
    if (!this.take(now)) return null;
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

  private take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private remember(tokenHash: string, answer: IntrospectedToken): void {
    if (this.cache.size >= this.size) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(tokenHash, { at: this.clock(), answer });
  }
}

function toResult(a: IntrospectedToken, options: VerifyOptions, now: number): VerifyResult {
  if (!a.active || !a.token_id || !a.grant_id) return { active: false, reason: 'unknown' };
  if (a.exp !== undefined && a.exp * 1000 <= now) return { active: false, reason: 'expired' };
  const accounts = a.accounts ?? [];
  if (options.account !== undefined && !accounts.includes(options.account))
    return { active: false, reason: 'account_not_allowed' };
  const effective = (a.scope ?? '').split(' ').filter(Boolean).sort();
  return {
    active: true,
    subject: a.sub ?? a.client_id ?? null,
    subjectKind: a.subject_kind ?? null,
    tokenId: a.token_id,
    grantId: a.grant_id,
    clientId: a.client_id ?? null,
    accountIds: accounts,
    effectiveScopes: effective,
    missingScopes: missingScopes(options.requiredScopes ?? [], effective),
    expiresAt: a.exp === undefined ? null : new Date(a.exp * 1000).toISOString(),
  };
}

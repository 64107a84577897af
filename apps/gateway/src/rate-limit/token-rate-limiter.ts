// Per-route, per-token rate limit (configurable, off by default: the caller only calls take() when
// the route has a limit) answering 429 with Retry-After. One token bucket per (route, token id):
// `burst` tokens at most, refilled continuously at `perSecond`; a request takes one. The route is
// part of the key so that each route's limit is its own: with one bucket per token, a call to a
// lax route would refill the bucket at the lax rate and lift a strict route's limit.
//
// Memory bound, two layers:
//  1. Sweep (exact): a bucket that has refilled to `burst` is indistinguishable from a bucket
//     that does not exist yet, so dropping it changes no answer. Every `sweepIntervalMs` of clock
//     time (default 60 s), take() drops all such buckets in one pass. Memory is then bounded by the
//     tokens used within roughly the last burst/perSecond seconds.
//  2. Hard cap (`maxBuckets`, default 100 000): adding a bucket at the cap first sweeps (at most
//     once a second), and if that frees nothing evicts the least recently used bucket. That
//     token then starts again from a full bucket — lenient, but only under more than maxBuckets
//     tokens all being limited at once. Recency is kept by re-inserting a bucket into the Map on
//     each take (Map iteration order is insertion order), so the first key is the LRU one.

export interface RateLimitClock {
  /** Milliseconds; only differences are used (a monotonic clock is best). */
  now(): number;
}

export const monotonicClock: RateLimitClock = { now: () => performance.now() };

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface TokenRateLimiterOptions {
  clock?: RateLimitClock;
  /** Default 100 000. */
  maxBuckets?: number;
  /** Default 60 000. */
  sweepIntervalMs?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** The parameters of the last take(), used by the sweep to decide whether the bucket is full. */
  perSecond: number;
  burst: number;
}

const ALLOWED: TakeResult = Object.freeze({ allowed: true });
/** Absorbs floating-point error so that an exact wait of 2 s is not rounded up to 3. */
const EPSILON = 1e-9;
const FORCED_SWEEP_MIN_GAP_MS = 1_000;

export class TokenRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: RateLimitClock;
  private readonly maxBuckets: number;
  private readonly sweepIntervalMs: number;
  private lastSweep: number;
  private lastForcedSweep = -Infinity;

  constructor(options: TokenRateLimiterOptions = {}) {
    this.clock = options.clock ?? monotonicClock;
    this.maxBuckets = options.maxBuckets ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    if (!Number.isInteger(this.maxBuckets) || this.maxBuckets < 1)
      throw new RangeError(`maxBuckets must be a positive integer, got ${this.maxBuckets}`);
    this.lastSweep = this.clock.now();
  }

  /** Buckets held (for tests and a gauge). */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * Takes one request from the bucket of `tokenId` on `route` (the route's name). `perSecond` > 0
   * and `burst` ≥ 1 (else RangeError); they may change between calls (a bucket above a lowered
   * burst is cut down to it).
   */
  take(route: string, tokenId: string, perSecond: number, burst: number): TakeResult {
    if (!(perSecond > 0 && perSecond < Infinity) || !(burst >= 1 && burst < Infinity)) {
      throw new RangeError(`Rate limit needs perSecond > 0 and burst ≥ 1, got ${perSecond}/s burst ${burst}`);
    }
    const now = this.clock.now();
    if (now - this.lastSweep >= this.sweepIntervalMs) this.sweep(now);

    const key = `${route}\n${tokenId}`; // route names never hold a newline
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxBuckets) this.makeRoom(now);
      bucket = { tokens: burst, updatedAt: now, perSecond, burst };
    } else {
      this.buckets.delete(key); // re-inserted below: most recently used last
      const elapsed = now - bucket.updatedAt;
      if (elapsed > 0) {
        bucket.tokens += (elapsed / 1000) * perSecond;
        bucket.updatedAt = now;
      }
      if (bucket.tokens > burst) bucket.tokens = burst;
      bucket.perSecond = perSecond;
      bucket.burst = burst;
    }
    this.buckets.set(key, bucket);

    if (bucket.tokens >= 1 - EPSILON) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return ALLOWED;
    }
    const waitSeconds = (1 - bucket.tokens) / perSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds - EPSILON)) };
  }

  /** Drops every bucket that has refilled to its burst (exact: a full bucket answers like no bucket). */
  sweep(now: number = this.clock.now()): number {
    this.lastSweep = now;
    let dropped = 0;
    for (const [id, b] of this.buckets) {
      const elapsed = Math.max(0, now - b.updatedAt);
      if (b.tokens + (elapsed / 1000) * b.perSecond >= b.burst - EPSILON) {
        this.buckets.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  private makeRoom(now: number): void {
    if (now - this.lastForcedSweep >= FORCED_SWEEP_MIN_GAP_MS) {
      this.lastForcedSweep = now;
      this.sweep(now);
    }
    while (this.buckets.size >= this.maxBuckets) {
      const lru = this.buckets.keys().next();
      if (lru.done === true) break;
      this.buckets.delete(lru.value);
    }
  }
}

import { TokenRateLimiter, type TokenRateLimiterOptions } from './token-rate-limiter';

function setup(options: Omit<TokenRateLimiterOptions, 'clock'> = {}) {
  let now = 1_000_000;
  const limiter = new TokenRateLimiter({ clock: { now: () => now }, ...options });
  return { limiter, advance: (ms: number) => void (now += ms), now: () => now };
}

describe('TokenRateLimiter', () => {
  it('allows the burst, then refuses with the time until the next request fits', () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) expect(limiter.take('r', 'tok', 1, 5)).toEqual({ allowed: true });
    expect(limiter.take('r', 'tok', 1, 5)).toEqual({ allowed: false, retryAfterSeconds: 1 });

    // 0.1 per second: the next request fits in 10 s
    const slow = setup().limiter;
    expect(slow.take('r', 'tok', 0.1, 1)).toEqual({ allowed: true });
    expect(slow.take('r', 'tok', 0.1, 1)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('rounds Retry-After up, and never below 1 second', () => {
    const { limiter, advance } = setup();
    limiter.take('r', 'tok', 0.4, 1); // refills 1 token in 2.5 s
    expect(limiter.take('r', 'tok', 0.4, 1)).toEqual({ allowed: false, retryAfterSeconds: 3 });
    advance(2000); // 0.8 token: 0.5 s to go
    expect(limiter.take('r', 'tok', 0.4, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });

    const fast = setup().limiter;
    fast.take('r', 'tok', 100, 1); // a token every 10 ms
    expect(fast.take('r', 'tok', 100, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills over time, never beyond the burst', () => {
    const { limiter, advance } = setup();
    for (let i = 0; i < 3; i++) limiter.take('r', 'tok', 2, 3);
    expect(limiter.take('r', 'tok', 2, 3).allowed).toBe(false);
    advance(500); // +1
    expect(limiter.take('r', 'tok', 2, 3).allowed).toBe(true);
    expect(limiter.take('r', 'tok', 2, 3).allowed).toBe(false);
    advance(60_000); // would be +120, capped at 3
    for (let i = 0; i < 3; i++) expect(limiter.take('r', 'tok', 2, 3).allowed).toBe(true);
    expect(limiter.take('r', 'tok', 2, 3)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("keeps routes independent: a token at its strict route's limit stays limited there while it calls a lax route", () => {
    const { limiter, advance } = setup();
    expect(limiter.take('strict', 'tok', 0.1, 1).allowed).toBe(true);
    expect(limiter.take('strict', 'tok', 0.1, 1)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    for (let i = 0; i < 50; i++) {
      expect(limiter.take('lax', 'tok', 100, 100).allowed).toBe(true);
      advance(100);
    }
    // 5 s later: the lax route's rate must not have refilled the strict route's bucket
    expect(limiter.take('strict', 'tok', 0.1, 1)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    expect(limiter.take('strict', 'other-token', 0.1, 1).allowed).toBe(true);
  });

  it('keeps tokens independent', () => {
    const { limiter } = setup();
    expect(limiter.take('r', 'a', 1, 1).allowed).toBe(true);
    expect(limiter.take('r', 'a', 1, 1).allowed).toBe(false);
    expect(limiter.take('r', 'b', 1, 1).allowed).toBe(true);
    expect(limiter.take('r', 'b', 1, 1).allowed).toBe(false);
  });

  it('follows a lowered burst and ignores a clock going backwards', () => {
    const { limiter, advance } = setup();
    limiter.take('r', 'tok', 1, 10); // 9 left
    expect(limiter.take('r', 'tok', 1, 2).allowed).toBe(true); // cut to 2, then 1 left
    expect(limiter.take('r', 'tok', 1, 2).allowed).toBe(true);
    expect(limiter.take('r', 'tok', 1, 2).allowed).toBe(false);
    advance(-5000);
    expect(limiter.take('r', 'tok', 1, 2).allowed).toBe(false);
  });

  it('refuses an invalid limit', () => {
    const { limiter } = setup();
    expect(() => limiter.take('r', 'tok', 0, 1)).toThrow(RangeError);
    expect(() => limiter.take('r', 'tok', 1, 0.5)).toThrow(RangeError);
    expect(() => limiter.take('r', 'tok', NaN, 1)).toThrow(RangeError);
  });

  it('sweeps buckets that have refilled (exact: answers do not change) every sweep interval', () => {
    const { limiter, advance } = setup({ sweepIntervalMs: 60_000 });
    for (let i = 0; i < 1000; i++) limiter.take('r', `idle-${i}`, 1, 5);
    limiter.take('r', 'busy', 0.001, 2);
    limiter.take('r', 'busy', 0.001, 2); // empty; refills in 1000 s
    expect(limiter.size).toBe(1001);
    advance(59_999);
    limiter.take('r', 'other', 1, 5);
    expect(limiter.size).toBe(1002); // not yet
    advance(1);
    limiter.take('r', 'other', 1, 5);
    expect(limiter.size).toBe(2); // busy (not full) and other (just taken)
    expect(limiter.take('r', 'busy', 0.001, 2)).toEqual({ allowed: false, retryAfterSeconds: 940 });
    expect(limiter.take('r', 'idle-0', 1, 5).allowed).toBe(true);
  });

  it('never holds more than maxBuckets, evicting the least recently used', () => {
    const { limiter } = setup({ maxBuckets: 100 });
    for (let i = 0; i < 100; i++) limiter.take('r', `t-${i}`, 0.001, 1); // all empty: the sweep frees nothing
    limiter.take('r', 't-0', 0.001, 1); // t-0 becomes the most recently used
    limiter.take('r', 't-100', 0.001, 1); // at the cap: evicts t-1, the least recently used
    expect(limiter.size).toBe(100);
    expect(limiter.take('r', 't-0', 0.001, 1).allowed).toBe(false); // still held (and limited)
    expect(limiter.take('r', 't-1', 0.001, 1).allowed).toBe(true); // evicted: starts from a full bucket (evicts t-2)
    for (let i = 101; i < 1000; i++) {
      limiter.take('r', `t-${i}`, 0.001, 1);
      expect(limiter.size).toBeLessThanOrEqual(100);
    }
    expect(limiter.size).toBe(100);
    expect(limiter.take('r', 't-999', 0.001, 1).allowed).toBe(false);
  });

  it('at the cap, frees full buckets by sweeping before evicting a limited one', () => {
    const { limiter, advance } = setup({ maxBuckets: 3, sweepIntervalMs: 3_600_000 });
    limiter.take('r', 'limited', 0.001, 1); // empty for 1000 s
    limiter.take('r', 'x', 100, 1);
    limiter.take('r', 'y', 100, 1);
    advance(2000); // x and y are full again
    limiter.take('r', 'z', 100, 1);
    expect(limiter.size).toBe(2);
    expect(limiter.take('r', 'limited', 0.001, 1).allowed).toBe(false);
  });
});

/** How long a consumer waits before trying a failing message again (it retries until it succeeds). */
export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
}

/** 100 ms, 200 ms, 400 ms, … capped at 30 s (each ±20 %). */
export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 30_000, factor: 2 };

/** Delay before attempt `n` (n ≥ 2), exponential with ±20 % jitter, capped. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 2));
  return Math.round(base * (0.8 + 0.4 * random()));
}

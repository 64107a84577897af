import { backoffDelay, DEFAULT_RETRY } from './backoff';

describe('backoffDelay', () => {
  const mid = () => 0.5; // no jitter

  it('doubles from the initial delay', () => {
    expect([2, 3, 4].map((a) => backoffDelay(DEFAULT_RETRY, a, mid))).toEqual([100, 200, 400]);
  });

  it('is capped at the maximum delay, 30 s by default', () => {
    expect(backoffDelay(DEFAULT_RETRY, 30, mid)).toBe(30_000);
    expect(backoffDelay(DEFAULT_RETRY, 10_000, mid)).toBe(30_000);
  });

  it('jitters within ±20 %', () => {
    expect(backoffDelay(DEFAULT_RETRY, 2, () => 0)).toBe(80);
    expect(backoffDelay(DEFAULT_RETRY, 2, () => 1)).toBe(120);
  });
});

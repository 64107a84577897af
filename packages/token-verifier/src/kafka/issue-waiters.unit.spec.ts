import { IssueWaiters } from './issue-waiters';

describe('IssueWaiters — a bounded wait for a token the projection has not seen yet', () => {
  it('resolves true when the token is issued within the wait, false after it', async () => {
    const w = new IssueWaiters(10);
    const seen = w.wait('k1', 1_000);
    const missed = w.wait('k2', 20);
    w.issued('k1');
    expect(await seen).toBe(true);
    expect(await missed).toBe(false);
    expect(w.size).toBe(0);
  });

  it('wakes every waiter of the same token, and no other', async () => {
    const w = new IssueWaiters(10);
    const a = w.wait('k', 1_000);
    const b = w.wait('k', 1_000);
    const other = w.wait('x', 30);
    w.issued('k');
    expect(await Promise.all([a, b, other])).toEqual([true, true, false]);
  });

  it('beyond its bound, or with no wait, answers false at once (a flood of random tokens holds nothing)', async () => {
    const w = new IssueWaiters(2);
    const held = [w.wait('a', 1_000), w.wait('b', 1_000)];
    const started = Date.now();
    expect(await w.wait('c', 1_000)).toBe(false);
    expect(await w.wait('d', 0)).toBe(false);
    expect(Date.now() - started).toBeLessThan(100);
    w.issued('a');
    w.issued('b');
    expect(await Promise.all(held)).toEqual([true, true]);
  });
});

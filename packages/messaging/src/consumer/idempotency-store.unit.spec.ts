import { InMemoryIdempotencyStore } from './idempotency-store';

describe('InMemoryIdempotencyStore', () => {
  it('runs the work once per id', async () => {
    const store = new InMemoryIdempotencyStore();
    let runs = 0;
    expect(await store.runOnce('a', async () => void runs++)).toBe('handled');
    expect(await store.runOnce('a', async () => void runs++)).toBe('duplicate');
    expect(runs).toBe(1);
  });

  it('does not remember an id whose work failed, so a retry runs it', async () => {
    const store = new InMemoryIdempotencyStore();
    await expect(
      store.runOnce('a', async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(store.has('a')).toBe(false);
    expect(await store.runOnce('a', async () => undefined)).toBe('handled');
  });

  it('forgets the oldest ids past its capacity', async () => {
    const store = new InMemoryIdempotencyStore(2);
    for (const id of ['a', 'b', 'c']) await store.runOnce(id, async () => undefined);
    expect([store.has('a'), store.has('b'), store.has('c')]).toEqual([false, true, true]);
  });
});

import { encodeCursor } from './cursor';
import { keysetPage } from './keyset-page';

describe('keysetPage', () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    id: `00000000-0000-4000-8000-00000000000${i}`,
  }));
  const fetch = async (limit: number, after: [string, string] | null) =>
    rows.filter((r) => after === null || r.at > after[0]).slice(0, limit);
  const key = (r: (typeof rows)[number]): [string, string] => [r.at, r.id];

  it('walks every row once, page by page', async () => {
    const first = await keysetPage({ limit: 2 }, fetch, key);
    expect(first.items).toEqual(rows.slice(0, 2));
    const second = await keysetPage({ limit: 2, cursor: first.nextCursor! }, fetch, key);
    expect(second.items).toEqual(rows.slice(2, 4));
    const last = await keysetPage({ limit: 2, cursor: second.nextCursor! }, fetch, key);
    expect(last).toEqual({ items: rows.slice(4), nextCursor: null });
  });

  it.each([
    ['not a timestamp', ["x'; DROP TABLE users; --", '00000000-0000-4000-8000-000000000000']],
    ['not a uuid', ['2026-01-01T00:00:00.000Z', 'nope']],
    ['a number', [1, '00000000-0000-4000-8000-000000000000']],
  ])('refuses a well-encoded cursor holding %s', async (_label, values) => {
    await expect(keysetPage({ cursor: encodeCursor(values as string[]) }, fetch, key)).rejects.toMatchObject({
      status: 400,
      code: 'invalid_cursor',
    });
  });
});

import { HttpProblem } from '../problem/problem';
import { decodeCursor, encodeCursor, page } from './cursor';

describe('cursors', () => {
  it('round-trips strings and numbers as base64url', () => {
    const cursor = encodeCursor(['2026-11-25T12:00:00.000Z', 'a/b+c', 42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 3)).toEqual(['2026-11-25T12:00:00.000Z', 'a/b+c', 42]);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['empty', ''],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['not an array', Buffer.from('{"a":1}').toString('base64url')],
    ['wrong arity', encodeCursor(['a'])],
    ['non-scalar member', Buffer.from('[{"a":1},2]').toString('base64url')],
    ['null member', Buffer.from('[null,2]').toString('base64url')],
    ['too long', 'A'.repeat(400)],
    ['altered in its last character', encodeCursor(['a', 1]).slice(0, -1) + 'z'],
  ])('refuses a cursor that is %s with 400 invalid_cursor', (_what, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor, 2);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HttpProblem);
    expect(thrown).toMatchObject({ status: 400, code: 'invalid_cursor' });
  });

  it('refuses to encode a non-finite number', () => {
    expect(() => encodeCursor([Number.NaN])).toThrow(TypeError);
  });
});

describe('page', () => {
  const rows = [1, 2, 3, 4].map((n) => ({ id: `id-${n}`, at: n }));
  const keyOf = (r: { id: string; at: number }) => [r.at, r.id];

  it('answers limit rows and the cursor of the last one when the extra row exists', () => {
    const p = page(rows, 3, keyOf);
    expect(p.items.map((r) => r.id)).toEqual(['id-1', 'id-2', 'id-3']);
    expect(decodeCursor(p.nextCursor!, 2)).toEqual([3, 'id-3']);
  });

  it('answers no cursor on the last page', () => {
    expect(page(rows, 4, keyOf)).toEqual({ items: rows, nextCursor: null });
    expect(page([], 4, keyOf)).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a limit below 1', () => {
    expect(() => page(rows, 0, keyOf)).toThrow(RangeError);
  });
});

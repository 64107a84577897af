import { HttpProblem } from '../problem/problem';

/** One key column of a keyset cursor. */
export type CursorValue = string | number;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAX_CURSOR_LENGTH = 200;

/** The values of the last row of a page → an opaque base64url cursor. */
export function encodeCursor(values: readonly CursorValue[]): string {
  for (const v of values) {
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string')
      throw new TypeError('cursor values must be strings or finite numbers');
  }
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

const invalid = (): HttpProblem =>
  new HttpProblem(400, 'invalid_cursor', 'The cursor is not one this service issued; start again without it.');

/** A cursor from a client → its `arity` values, or HttpProblem 400 `invalid_cursor`. */
export function decodeCursor(cursor: string, arity: number): CursorValue[] {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor))
    throw invalid();
  const bytes = Buffer.from(cursor, 'base64url');
  // Refuse non-canonical encodings so one position has exactly one cursor.
  if (bytes.toString('base64url') !== cursor) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== arity) throw invalid();
  for (const v of parsed) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) throw invalid();
  }
  return parsed as CursorValue[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The caller fetched `limit + 1` rows in key order: answer at most `limit` of them and, when the
 * extra row shows there is more, a cursor made of the last answered row's key.
 */
export function page<T>(rows: readonly T[], limit: number, keyOf: (row: T) => readonly CursorValue[]): Page<T> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  if (rows.length <= limit) return { items: rows.slice(), nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[limit - 1] as T)) };
}

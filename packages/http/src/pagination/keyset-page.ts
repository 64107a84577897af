import { HttpProblem } from '../problem/problem';
import { decodeCursor, page, type Page } from './cursor';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** A keyset position: [ISO timestamp, uuid] (e.g. created_at, id), or null for the first page. */
export type TimeIdKey = [string, string];

/**
 * One page of a keyset query ordered by (timestamp, uuid): decodes `?cursor=`, refuses a cursor
 * holding anything but an ISO timestamp and a UUID before it can reach SQL (400 invalid_cursor),
 * fetches `limit + 1` rows to know whether there is a next page, and answers `{ items, nextCursor }`.
 */
export async function keysetPage<T>(
  query: { limit?: number; cursor?: string },
  fetch: (limit: number, after: TimeIdKey | null) => Promise<T[]>,
  keyOf: (row: T) => TimeIdKey,
  defaultLimit = 50,
): Promise<Page<T>> {
  const limit = query.limit ?? defaultLimit;
  let after: TimeIdKey | null = null;
  if (query.cursor !== undefined) {
    const [at, id] = decodeCursor(query.cursor, 2);
    if (
      typeof at !== 'string' ||
      !ISO.test(at) ||
      Number.isNaN(Date.parse(at)) ||
      typeof id !== 'string' ||
      !UUID.test(id)
    ) {
      throw new HttpProblem(
        400,
        'invalid_cursor',
        'The cursor is not one this service issued; start again without it.',
      );
    }
    after = [at, id];
  }
  return page(await fetch(limit + 1, after), limit, keyOf);
}

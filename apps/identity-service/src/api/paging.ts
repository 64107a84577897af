import { decodeCursor, HttpProblem, page, type Page } from '@latchkey/http';
import type { PageQueryT } from './identity.schemas';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/**
 * Runs a keyset query for one page (limit + 1 rows fetched to know whether there is a next).
 * Keys are [timestamp, uuid]; a cursor holding anything else is refused before it reaches SQL.
 */
export async function keysetPage<T>(
  query: PageQueryT,
  fetch: (limit: number, after: [string, string] | null) => Promise<T[]>,
  keyOf: (row: T) => [string, string],
): Promise<Page<T>> {
  const limit = query.limit ?? 50;
  let after: [string, string] | null = null;
  if (query.cursor !== undefined) {
    const [at, id] = decodeCursor(query.cursor, 2);
    if (typeof at !== 'string' || !ISO.test(at) || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !UUID.test(id)) {
      throw new HttpProblem(400, 'invalid_cursor', 'The cursor is not one this service issued; start again without it.');
    }
    after = [at, id];
  }
  return page(await fetch(limit + 1, after), limit, keyOf);
}

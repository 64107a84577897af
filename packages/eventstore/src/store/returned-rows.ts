/** TypeORM answers an UPDATE … RETURNING as `[rows, affected]` (and a SELECT as rows): the rows. */
export function returnedRows<T>(result: unknown): T[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
}

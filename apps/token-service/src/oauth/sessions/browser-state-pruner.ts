import { RetentionPruner } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';

/** How long the authorization server keeps its short-lived rows after they ended: a day. */
export const BROWSER_STATE_RETENTION_MS = 86_400_000;

/**
 * Deletes authorization codes, interactions, login sessions and pushed requests that ended (expired, completed or
 * revoked) before `olderThan`, a batch at a time; returns how many rows went. Anyone can start an
 * interaction without signing in, so without this the table would grow without bound.
 */
export async function pruneBrowserState(dataSource: DataSource, olderThan: Date, batchSize = 10_000): Promise<number> {
  const tables: Array<[string, string, string]> = [
    ['authorization_codes', 'code_hash', 'expires_at < $1'],
    ['authorization_interactions', 'id_hash', 'expires_at < $1 OR completed_at < $1'],
    ['login_sessions', 'session_hash', 'expires_at < $1 OR revoked_at < $1'],
    ['pushed_authorization_requests', 'request_uri_hash', 'expires_at < $1'],
  ];
  let total = 0;
  for (const [table, key, ended] of tables) {
    for (;;) {
      const [, deleted] = (await dataSource.query(
        `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${ended} LIMIT $2)`,
        [olderThan, batchSize],
      )) as [unknown, number];
      total += deleted;
      if (deleted < batchSize) break;
    }
  }
  return total;
}

/** Keeps the authorization server's browser state bounded (hourly, like every pruner). */
export function browserStatePruner(dataSource: DataSource, log: (message: string) => void): RetentionPruner {
  return new RetentionPruner({
    retentionMs: BROWSER_STATE_RETENTION_MS,
    prune: (olderThan) => pruneBrowserState(dataSource, olderThan),
    onPruned: (deleted) => {
      if (deleted > 0)
        log(`pruned ${deleted} ended authorization code / interaction / session / pushed request row(s)`);
    },
    onError: (err) =>
      log(`pruning the authorization server's browser state failed (retried next hour): ${(err as Error).message}`),
  });
}

import { RetentionPruner } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';

/**
 * Deletes the hash rows of tokens that expired before `olderThan`, a batch at a time; returns how
 * many went. An expired token is inactive whether or not its row is there (introspection then
 * answers "unknown": inactive); the PAT itself, its history and its events stay.
 */
export async function pruneExpiredTokenHashes(
  dataSource: DataSource,
  olderThan: Date,
  batchSize = 10_000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const [, deleted] = (await dataSource.query(
      `DELETE FROM token_hashes WHERE token_hash IN (
         SELECT token_hash FROM token_hashes WHERE expires_at IS NOT NULL AND expires_at < $1 LIMIT $2)`,
      [olderThan, batchSize],
    )) as [unknown, number];
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/** Keeps token_hashes bounded: OAuth access tokens live an hour, and every one leaves a row. */
export function expiredTokenHashPruner(
  dataSource: DataSource,
  retentionMs: number,
  log: (message: string) => void,
): RetentionPruner {
  return new RetentionPruner({
    retentionMs,
    prune: (olderThan) => pruneExpiredTokenHashes(dataSource, olderThan),
    onPruned: (deleted) => {
      if (deleted > 0) log(`pruned ${deleted} hash row(s) of tokens expired past the retention`);
    },
    onError: (err) => log(`pruning expired token hashes failed (retried next hour): ${(err as Error).message}`),
  });
}

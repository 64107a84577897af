import type { DataSource, EntityManager } from 'typeorm';

/**
 * packages/messaging's IdempotencyStore on PostgreSQL: the event id is recorded in
 * `processed_events` in the same transaction as the handler's own writes, so a consumer that
 * crashes or restarts mid-stream never applies an event twice. Two instances racing on one
 * event serialise on the primary key; the second sees a duplicate.
 */
export class PgIdempotencyStore {
  constructor(
    private readonly dataSource: DataSource,
    /** Name of the consuming component; each keeps its own record. */
    private readonly consumer: string,
  ) {}

  runOnce(eventId: string, work: (tx: EntityManager) => Promise<void>): Promise<'handled' | 'duplicate'> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
         ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1 AS ok`,
        [this.consumer, eventId],
      )) as unknown[];
      if (inserted.length === 0) return 'duplicate';
      await work(manager);
      return 'handled';
    });
  }
}

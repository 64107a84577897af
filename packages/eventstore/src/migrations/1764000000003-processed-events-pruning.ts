import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets the pruner find old `processed_events` rows without scanning the table (see pruneProcessedEvents). */
export class ProcessedEventsPruning1764000000003 implements MigrationInterface {
  name = 'ProcessedEventsPruning1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX processed_events_processed_at_idx ON processed_events (processed_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX processed_events_processed_at_idx');
  }
}

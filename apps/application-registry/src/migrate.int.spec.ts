import { eventStoreMigrations } from '@latchkey/eventstore';
import { createEmptyDatabase, type EmptyDatabase } from '@latchkey/testing';
import { DataSource } from 'typeorm';
import { REGISTRY_MIGRATIONS } from './database/data-source';
import { runMigrations } from './migrate';

describe('application-registry migrate (real PostgreSQL)', () => {
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(() => db.drop());

  it('given a fresh database, when migrated, then the event store and read-model tables exist', async () => {
    const ran = await runMigrations(db.url);
    expect(ran).toEqual([...eventStoreMigrations, ...REGISTRY_MIGRATIONS].map((m) => m.name));

    const ds = await new DataSource({ type: 'postgres', url: db.url }).initialize();
    try {
      const rows = await ds.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
        [['events', 'outbox', 'processed_events', 'applications']],
      );
      expect(rows.map((r: { table_name: string }) => r.table_name).sort()).toEqual([
        'applications',
        'events',
        'outbox',
        'processed_events',
      ]);
    } finally {
      await ds.destroy();
    }
  });

  it('given a migrated database, when migrated again, then nothing runs', async () => {
    await expect(runMigrations(db.url)).resolves.toEqual([]);
  });
});

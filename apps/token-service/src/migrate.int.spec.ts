import { randomBytes } from 'node:crypto';
import { eventStoreMigrations } from '@latchkey/eventstore';
import { Client } from 'pg';
import { loadTokenServiceConfig } from './config/token-service.config';
import { runMigrations } from './migrate';

// A throwaway database on the server of DATABASE_URL (default: the local development one).
const serverUrl = new URL(loadTokenServiceConfig().DATABASE_URL);
const database = `lk_test_${randomBytes(6).toString('hex')}`;
const urlOf = (name: string): string => Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();

async function onPostgresDb<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlOf('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('token-service migrate', () => {
  beforeAll(async () => {
    await onPostgresDb((c) => c.query(`CREATE DATABASE "${database}"`));
  });

  afterAll(async () => {
    await onPostgresDb((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  });

  it('given a fresh database, when migrated, then the event store tables exist', async () => {
    const ran = await runMigrations(urlOf(database));
    expect(ran).toHaveLength(eventStoreMigrations.length);

    const client = new Client({ connectionString: urlOf(database) });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1)`,
        [['events', 'outbox']],
      );
      expect(rows.map((r) => r.table_name).sort()).toEqual(['events', 'outbox']);
    } finally {
      await client.end();
    }
  });

  it('given a migrated database, when migrated again, then nothing runs', async () => {
    await expect(runMigrations(urlOf(database))).resolves.toEqual([]);
  });
});

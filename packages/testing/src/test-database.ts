import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  /** Closes the data source and drops the database. */
  drop(): Promise<void>;
}

const host = process.env.PGHOST ?? '127.0.0.1';
const port = Number(process.env.PGPORT ?? 5432);
const user = process.env.PGUSER ?? 'postgres';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ host, port, user, database: 'postgres' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface EmptyDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Makes a database unreachable, as an outage would: new connections are refused and the open ones
 * are cut. For tests that show a service recovers without losing anything; see unblockDatabase.
 */
export async function blockDatabase(name: string): Promise<void> {
  await admin(async (c) => {
    await c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  });
}

/** Lets connections to a database blocked by blockDatabase in again. */
export async function unblockDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
}

/** A fresh, empty PostgreSQL database (`lk_test_<random>`), e.g. to test a service's migrations. */
export async function createEmptyDatabase(): Promise<EmptyDatabase> {
  const name = `lk_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `postgres://${user}@${host}:${port}/${name}`,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A fresh PostgreSQL database with the given migrations applied, on the real server that
 * `npm run infra:up` ensures. Each test file gets its own, so files never see each other's rows.
 */
export async function createTestDatabase(
  migrations: Array<new () => MigrationInterface>,
  { poolSize = 10 }: { poolSize?: number } = {},
): Promise<TestDatabase> {
  const { name, url, drop } = await createEmptyDatabase();
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations,
    synchronize: false,
    logging: false,
    extra: { max: poolSize },
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    name,
    url,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await drop();
    },
  };
}

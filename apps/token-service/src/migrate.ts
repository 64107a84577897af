import 'reflect-metadata';
import { ConfigError, readEnv } from '@latchkey/config';
import { Logger } from '@nestjs/common';
import { TOKEN_SERVICE_ENV, SERVICE_NAME } from './config/token-service.config';
import { createDataSource } from './database/data-source';

/** Runs the pending migrations of the database at `databaseUrl`; returns the names of those that ran. */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = createDataSource(databaseUrl);
  await dataSource.initialize();
  try {
    const ran = await dataSource.runMigrations({ transaction: 'all' });
    return ran.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** `node dist/migrate.js`: migrates DATABASE_URL, prints how many migrations ran, exits 0. */
async function main(): Promise<void> {
  const logger = new Logger(`${SERVICE_NAME} migrate`);
  try {
    const { DATABASE_URL } = readEnv({ DATABASE_URL: TOKEN_SERVICE_ENV.DATABASE_URL });
    const ran = await runMigrations(DATABASE_URL);
    logger.log(ran.length === 0 ? 'no pending migrations (0 ran)' : `${ran.length} migration(s) ran: ${ran.join(', ')}`);
  } catch (err) {
    if (err instanceof ConfigError) logger.error(err.message);
    else logger.error('migration failed', err instanceof Error ? err.stack : String(err));
    process.exitCode = 1;
  }
}

if (require.main === module) void main();

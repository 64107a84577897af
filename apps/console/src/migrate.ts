import 'reflect-metadata';
import { readEnv } from '@latchkey/config';
import { migrateMain, runMigrations as runOn } from '@latchkey/eventstore';
import { CONSOLE_ENV, SERVICE_NAME } from './config/console.config';
import { createDataSource } from './database/data-source';

/** Runs the pending migrations of the database at `databaseUrl`; returns the names of those that ran. */
export function runMigrations(databaseUrl: string): Promise<string[]> {
  return runOn(createDataSource(databaseUrl));
}

/** `node dist/migrate.js`: migrates DATABASE_URL, logs how many migrations ran, exits 0 (1 on failure). */
if (require.main === module) {
  void migrateMain({
    service: SERVICE_NAME,
    readUrl: () => readEnv({ DATABASE_URL: CONSOLE_ENV.DATABASE_URL }).DATABASE_URL,
    createDataSource,
    log: {
      log: (m: string) => process.stdout.write(`[${SERVICE_NAME} migrate] ${m}\n`),
      error: (m: string) => process.stderr.write(`[${SERVICE_NAME} migrate] ${m}\n`),
    },
  });
}

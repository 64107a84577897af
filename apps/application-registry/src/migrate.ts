import 'reflect-metadata';
import { readEnv } from '@latchkey/config';
import { migrateMain, runMigrations as runOn } from '@latchkey/eventstore';
import { Logger } from '@nestjs/common';
import { APPLICATION_REGISTRY_ENV, SERVICE_NAME } from './config/application-registry.config';
import { createDataSource } from './database/data-source';

/** Runs the pending migrations of the database at `databaseUrl`; returns the names of those that ran. */
export function runMigrations(databaseUrl: string): Promise<string[]> {
  return runOn(createDataSource(databaseUrl));
}

/** `node dist/migrate.js`: migrates DATABASE_URL, logs how many migrations ran, exits 0 (1 on failure). */
if (require.main === module) {
  void migrateMain({
    service: SERVICE_NAME,
    readUrl: () => readEnv({ DATABASE_URL: APPLICATION_REGISTRY_ENV.DATABASE_URL }).DATABASE_URL,
    createDataSource,
    log: new Logger(`${SERVICE_NAME} migrate`),
  });
}

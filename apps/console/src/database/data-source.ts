import { DataSource } from 'typeorm';
import { SERVICE_NAME } from '../config/console.config';
import { ConsoleSessions1765000000000 } from './migrations/1765000000000-console-sessions';

/** The console's own database holds login sessions only (it keeps no events: the services do). */
export const CONSOLE_MIGRATIONS = [ConsoleSessions1765000000000];

export function createDataSource(databaseUrl: string, poolSize = 5): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    applicationName: SERVICE_NAME,
    migrations: CONSOLE_MIGRATIONS,
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
    extra: { max: poolSize },
  });
}

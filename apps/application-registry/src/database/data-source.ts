import { eventStoreMigrations } from '@latchkey/eventstore';
import { DataSource } from 'typeorm';
import { SERVICE_NAME } from '../config/application-registry.config';

/**
 * The TypeORM DataSource of application-registry's own database. The schema changes only through
 * migrations (the event store's first, then the service's read models): never `synchronize`,
 * and migrations run by `dist/migrate.js` before the service starts, not by the service.
 */
export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    applicationName: SERVICE_NAME,
    entities: [],
    migrations: [...eventStoreMigrations],
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
  });
}

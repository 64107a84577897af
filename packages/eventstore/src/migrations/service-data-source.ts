import { DataSource, type MixedList } from 'typeorm';
import { eventStoreMigrations } from './index';

export interface ServiceDataSourceOptions {
  url: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** The service's own read-model migrations; they run after the event store's. */
  migrations?: Array<new () => unknown>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string>;
  poolSize?: number;
}

/**
 * The TypeORM DataSource of an event-sourced service's own database. The schema changes only
 * through migrations (the event store's first, then the service's read models): never
 * `synchronize`, and migrations are run by the service's `dist/migrate.js` before it starts,
 * not by the service itself.
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName,
    entities: options.entities ?? [],
    migrations: [...eventStoreMigrations, ...(options.migrations ?? [])] as never,
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
    extra: { max: options.poolSize ?? 10 },
  });
}

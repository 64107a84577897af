import { createServiceDataSource } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';
import { SERVICE_NAME } from '../config/identity-service.config';

/** identity-service's own database: the event store's migrations, then (as they come) its read models'. */
export function createDataSource(databaseUrl: string): DataSource {
  return createServiceDataSource({ url: databaseUrl, applicationName: SERVICE_NAME });
}

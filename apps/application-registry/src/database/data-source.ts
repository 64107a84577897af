import { createServiceDataSource } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';
import { SERVICE_NAME } from '../config/application-registry.config';
import { CreateApplicationsReadModel1764200000000 } from './migrations/1764200000000-create-applications-read-model';
import { PushedAuthorizationRequests1764500000000 } from './migrations/1764500000000-pushed-authorization-requests';

/** application-registry's own database: the event store's migrations, then its read model's. */
export const REGISTRY_MIGRATIONS = [CreateApplicationsReadModel1764200000000, PushedAuthorizationRequests1764500000000];

export function createDataSource(databaseUrl: string): DataSource {
  return createServiceDataSource({ url: databaseUrl, applicationName: SERVICE_NAME, migrations: REGISTRY_MIGRATIONS });
}

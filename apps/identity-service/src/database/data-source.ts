import { createServiceDataSource } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';
import { SERVICE_NAME } from '../config/identity-service.config';
import { CreateCredentials1764100000000 } from '../credentials/credentials.migration';
import { CreateIdentityReadModels1764100000001 } from './migrations/1764100000001-create-identity-read-models';
import { FirstSignIn1764100000003 } from './migrations/1764100000003-first-sign-in';
import { UserProfileUpdatedAt1764100000002 } from './migrations/1764100000002-user-profile-updated-at';

/** identity-service's own database: the event store's migrations, then its credentials and read models. */
export const IDENTITY_MIGRATIONS = [
  CreateCredentials1764100000000,
  CreateIdentityReadModels1764100000001,
  UserProfileUpdatedAt1764100000002,
  FirstSignIn1764100000003,
];

export function createDataSource(databaseUrl: string, poolSize?: number): DataSource {
  return createServiceDataSource({
    url: databaseUrl,
    applicationName: SERVICE_NAME,
    migrations: IDENTITY_MIGRATIONS,
    poolSize,
  });
}

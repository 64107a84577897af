import { createServiceDataSource } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';
import { SERVICE_NAME } from '../config/token-service.config';
import { CreateTokenReadModels1764300000000 } from './migrations/1764300000000-create-token-read-models';
import { CreateInstallation1764300000001 } from './migrations/1764300000001-create-installation';
import { CreateApplicationDirectory1764300000002 } from './migrations/1764300000002-create-application-directory';
import { OAuthClients1764400000000 } from './migrations/1764400000000-oauth-clients';
import { OAuthGrants1764400000001 } from './migrations/1764400000001-oauth-grants';
import { LoginSessions1764400000002 } from './migrations/1764400000002-login-sessions';
import { ConsoleApplication1765000000001 } from './migrations/1765000000001-console-application';
import { PushedRequestsAndAccountNames1764500000000 } from './migrations/1764500000000-pushed-requests-and-account-names';

/** token-service's own database: the event store's migrations, then its read models'. */
export const TOKEN_MIGRATIONS = [
  CreateTokenReadModels1764300000000,
  CreateInstallation1764300000001,
  CreateApplicationDirectory1764300000002,
  OAuthClients1764400000000,
  OAuthGrants1764400000001,
  LoginSessions1764400000002,
  PushedRequestsAndAccountNames1764500000000,
  ConsoleApplication1765000000001,
];

export function createDataSource(databaseUrl: string, poolSize?: number): DataSource {
  return createServiceDataSource({
    url: databaseUrl,
    applicationName: SERVICE_NAME,
    migrations: TOKEN_MIGRATIONS,
    poolSize,
  });
}

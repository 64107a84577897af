import {
  defineEnv,
  host,
  httpUrl,
  logLevel,
  port,
  postgresUrl,
  readEnv,
  secretKey,
  uuid,
  type Env,
  type EnvConfig,
} from '@latchkey/config';
import { CONSOLE_CLIENT_ID } from '@latchkey/contracts';

export const SERVICE_NAME = 'console';

/**
 * Every environment variable the console reads. A `localDefault` fits only a developer machine,
 * so a deployment must set that variable (infra/tests checks docker-compose.yml against this spec).
 */
export const CONSOLE_ENV = defineEnv({
  HOST: host({ localDefault: '127.0.0.1', description: 'address the HTTP server binds to (0.0.0.0 in a container)' }),
  PORT: port({ localDefault: 3000, description: 'HTTP port' }),
  PUBLIC_URL: httpUrl({
    localDefault: 'http://127.0.0.1:3000',
    description:
      'the console’s address as browsers see it (its OAuth redirect URI is PUBLIC_URL/callback); https makes the session cookie `__Host-` and Secure',
  }),
  DATABASE_URL: postgresUrl({
    localDefault: 'postgres://postgres@127.0.0.1:5432/latchkey_console',
    description: 'the console’s own PostgreSQL database (login sessions)',
  }),
  SESSION_KEY: secretKey({
    localDefault: Buffer.alloc(32, 0x4c),
    description:
      'seals the tokens kept in a session row (AES-256-GCM) and signs CSRF tokens; rotating it ends every console session',
  }),
  TOKEN_SERVICE_URL: httpUrl({
    localDefault: 'http://127.0.0.1:3003',
    description:
      'token-service’s public URL as browsers reach it — its OAUTH_ISSUER (the console sends people there to sign in)',
  }),
  TOKEN_SERVICE_API_URL: httpUrl({
    localDefault: 'http://127.0.0.1:3003',
    description:
      'token-service as the console’s server reaches it (token endpoint, revocation, the PAT and authorization APIs); the same as TOKEN_SERVICE_URL unless a network separates them',
  }),
  OAUTH_CLIENT_ID: uuid({
    default: CONSOLE_CLIENT_ID,
    description: 'the console’s OAuth client id: the one application-registry registers (its CONSOLE_CLIENT_ID)',
  }),
  IDENTITY_URL: httpUrl({ localDefault: 'http://127.0.0.1:3001', description: 'identity-service’s public API' }),
  APPLICATION_REGISTRY_URL: httpUrl({
    localDefault: 'http://127.0.0.1:3002',
    description: 'application-registry’s public API',
  }),
  LOG_LEVEL: logLevel({ description: 'error|warn|log|debug' }),
});

export type ConsoleConfig = EnvConfig<typeof CONSOLE_ENV>;

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConsoleConfig(env: Env = process.env): ConsoleConfig {
  return readEnv(CONSOLE_ENV, env);
}

import {
  defineEnv,
  host,
  hostPortList,
  httpUrl,
  logLevel,
  port,
  postgresUrl,
  readEnv,
  serviceCredential,
  uuid,
  type Env,
  type EnvConfig,
} from '@latchkey/config';
import { CONSOLE_CLIENT_ID } from '@latchkey/contracts';
import { INTROSPECTION_ENV, RETENTION_ENV, VERIFIER_ENV } from '@latchkey/service-runtime';

export const SERVICE_NAME = 'application-registry';

/**
 * Every environment variable application-registry reads. A `localDefault` fits only a developer machine, so
 * a deployment must set that variable (infra/tests checks docker-compose.yml against this spec).
 */
export const APPLICATION_REGISTRY_ENV = defineEnv({
  HOST: host({ localDefault: '127.0.0.1', description: 'address the HTTP server binds to (0.0.0.0 in a container)' }),
  PORT: port({ localDefault: 3002, description: 'HTTP port' }),
  DATABASE_URL: postgresUrl({
    localDefault: 'postgres://postgres@127.0.0.1:5432/latchkey_applications',
    description: "the service's own PostgreSQL database (event store, outbox, read models)",
  }),
  KAFKA_BROKERS: hostPortList({ localDefault: ['127.0.0.1:9092'], description: 'Kafka bootstrap brokers' }),
  LOG_LEVEL: logLevel({ description: 'error|warn|log|debug' }),
  CONSOLE_CLIENT_ID: uuid({
    default: CONSOLE_CLIENT_ID,
    description:
      'the console’s OAuth client id (the console’s OAUTH_CLIENT_ID must be the same); change it only to keep installations that share a Kafka cluster apart',
  }),
  CONSOLE_REDIRECT_URI: httpUrl({
    localDefault: 'http://127.0.0.1:3000/callback',
    description:
      'the console’s OAuth redirect URI (its PUBLIC_URL + /callback): the registry registers the console’s client with it at every start',
  }),
  INTERNAL_SERVICE_TOKEN: serviceCredential({
    localDefault: 'local-development-internal-token-0000',
    description: 'credential presented to token-service’s internal introspection (`Authorization: Bearer …`)',
  }),
  ...INTROSPECTION_ENV,
  ...VERIFIER_ENV,
  ...RETENTION_ENV,
});

export type ApplicationRegistryConfig = EnvConfig<typeof APPLICATION_REGISTRY_ENV>;

/** Injection token of the ApplicationRegistryConfig, provided by AppModule.forRoot. */
export const APPLICATION_REGISTRY_CONFIG = Symbol('APPLICATION_REGISTRY_CONFIG');

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadApplicationRegistryConfig(env: Env = process.env): ApplicationRegistryConfig {
  return readEnv(APPLICATION_REGISTRY_ENV, env);
}

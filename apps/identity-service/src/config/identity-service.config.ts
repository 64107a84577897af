import {
  defineEnv,
  envVar,
  host,
  httpUrl,
  hostPortList,
  InvalidValue,
  logLevel,
  port,
  postgresUrl,
  readEnv,
  serviceCredential,
  string,
  type Env,
  type EnvConfig,
} from '@latchkey/config';
import { INTROSPECTION_ENV, RETENTION_ENV, VERIFIER_ENV } from '@latchkey/service-runtime';

const RECORD_TYPE = /^[a-z][a-z0-9_]{0,49}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const SERVICE_NAME = 'identity-service';

/**
 * Every environment variable identity-service reads. A `localDefault` fits only a developer machine, so
 * a deployment must set that variable (infra/tests checks docker-compose.yml against this spec).
 */
export const IDENTITY_SERVICE_ENV = defineEnv({
  HOST: host({ localDefault: '127.0.0.1', description: 'address the HTTP server binds to (0.0.0.0 in a container)' }),
  PORT: port({ localDefault: 3001, description: 'HTTP port' }),
  DATABASE_URL: postgresUrl({
    localDefault: 'postgres://postgres@127.0.0.1:5432/latchkey_identity',
    description: "the service's own PostgreSQL database (event store, outbox, read models)",
  }),
  KAFKA_BROKERS: hostPortList({ localDefault: ['127.0.0.1:9092'], description: 'Kafka bootstrap brokers' }),
  LOG_LEVEL: logLevel({ description: 'error|warn|log|debug' }),
  RECORD_TYPES: envVar(
    'a comma-separated list of snake_case record type names (e.g. requests,incidents,orders)',
    (raw) => {
      const names = raw.split(',').map((s) => s.trim());
      const bad = names.filter((n) => !RECORD_TYPE.test(n));
      if (bad.length > 0) throw new InvalidValue(`snake_case names of at most 50 characters; bad: ${bad.join(', ')}`);
      return [...new Set(names)];
    },
    {
      default: ['requests', 'incidents', 'orders'],
      description: 'business record types the roles grant access to (`<type>:create|read|update|delete`)',
    },
  ),
  INTERNAL_HOST: host({
    localDefault: '127.0.0.1',
    description: 'address of the internal listener (login checks for token-service); keep it off the public network',
  }),
  INTERNAL_PORT: port({ localDefault: 3101, description: 'port of the internal listener' }),
  INTERNAL_SERVICE_TOKEN: serviceCredential({
    localDefault: 'local-development-internal-token-0000',
    description:
      'credential presented on the internal listeners (`Authorization: Bearer …`): token-service presents it here, this service presents it to token-service’s introspection',
  }),
  ...INTROSPECTION_ENV,
  ...VERIFIER_ENV,
  ...RETENTION_ENV,
  BOOTSTRAP_DIRECTORY_NAME: string({
    default: 'Directory',
    description: 'name of the directory account created on first start (with BOOTSTRAP_ADMIN_EMAIL)',
  }),
  BOOTSTRAP_ADMIN_EMAIL: envVar(
    'an e-mail address',
    (raw) => {
      if (!EMAIL.test(raw) || raw.length > 320) throw new InvalidValue('an e-mail address');
      return raw.toLowerCase();
    },
    {
      default: '',
      description:
        'when set: on first start, create the directory account and this administrator (idempotent on later starts)',
    },
  ),
  BOOTSTRAP_ADMIN_PASSWORD: string({
    default: '',
    sensitive: true,
    description:
      "the bootstrap administrator's first password (at least 12 characters); empty: each start prints a one-time first sign-in link (CONSOLE_URL/setup) until a password is set",
  }),
  CONSOLE_URL: httpUrl({
    localDefault: 'http://127.0.0.1:3000',
    description: 'the console’s address as browsers see it: the first sign-in link points there',
  }),
});

export type IdentityServiceConfig = EnvConfig<typeof IDENTITY_SERVICE_ENV>;

/** Injection token of the IdentityServiceConfig, provided by AppModule.forRoot. */
export const IDENTITY_SERVICE_CONFIG = Symbol('IDENTITY_SERVICE_CONFIG');

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadIdentityServiceConfig(env: Env = process.env): IdentityServiceConfig {
  return readEnv(IDENTITY_SERVICE_ENV, env);
}

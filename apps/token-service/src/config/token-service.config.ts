import {
  ConfigError,
  defineEnv,
  host,
  hostPortList,
  httpUrl,
  integer,
  logLevel,
  oneOf,
  port,
  postgresUrl,
  readEnv,
  serviceCredential,
  type Env,
  type EnvConfig,
} from '@latchkey/config';
import { RETENTION_ENV, VERIFIER_ENV } from '@latchkey/service-runtime';

export const SERVICE_NAME = 'token-service';

/**
 * Every environment variable token-service reads. A `localDefault` fits only a developer machine, so
 * a deployment must set that variable (infra/tests checks docker-compose.yml against this spec).
 */
export const TOKEN_SERVICE_ENV = defineEnv({
  HOST: host({ localDefault: '127.0.0.1', description: 'address the HTTP server binds to (0.0.0.0 in a container)' }),
  PORT: port({ localDefault: 3003, description: 'HTTP port' }),
  DATABASE_URL: postgresUrl({
    localDefault: 'postgres://postgres@127.0.0.1:5432/latchkey_tokens',
    description: "the service's own PostgreSQL database (event store, outbox, read models)",
  }),
  KAFKA_BROKERS: hostPortList({ localDefault: ['127.0.0.1:9092'], description: 'Kafka bootstrap brokers' }),
  LOG_LEVEL: logLevel({ description: 'error|warn|log|debug' }),
  INTERNAL_HOST: host({
    localDefault: '127.0.0.1',
    description: 'address of the internal listener (token introspection for verifiers); keep it off the public network',
  }),
  INTERNAL_PORT: port({ localDefault: 3103, description: 'port of the internal listener' }),
  INTERNAL_SERVICE_TOKEN: serviceCredential({
    localDefault: 'local-development-internal-token-0000',
    description:
      'credential verifiers (the gateway, the other services) present (`Authorization: Bearer …`) on the internal listener',
  }),
  OAUTH_ISSUER: httpUrl({
    localDefault: 'http://127.0.0.1:3003',
    description:
      "the authorization server's issuer: token-service's public base URL as clients reach it (https in production), in discovery and on every authorization response",
  }),
  LOGIN_CHECK_URL: httpUrl({
    localDefault: 'http://127.0.0.1:3101/internal/login-check',
    description: "identity-service's login check on its internal listener (the login page checks passwords there)",
  }),
  SESSION_COOKIE_SECURE: oneOf(['true', 'false'], {
    default: 'true',
    description:
      'whether the login session and interaction cookies are Secure; `false` is accepted only with a loopback http issuer (local development)',
  }),
  ...VERIFIER_ENV,
  ...RETENTION_ENV,
  EXPIRED_TOKEN_RETENTION_DAYS: integer({
    default: 7,
    min: 1,
    max: 3650,
    description:
      'how long the hash of an expired token is kept (it is inactive either way; the PAT and its history stay)',
  }),
});

export type TokenServiceConfig = EnvConfig<typeof TOKEN_SERVICE_ENV>;

/** Injection token of the TokenServiceConfig, provided by AppModule.forRoot. */
export const TOKEN_SERVICE_CONFIG = Symbol('TOKEN_SERVICE_CONFIG');

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadTokenServiceConfig(env: Env = process.env): TokenServiceConfig {
  const config = readEnv(TOKEN_SERVICE_ENV, env);
  if (config.SESSION_COOKIE_SECURE === 'false' && !isLoopbackHttp(config.OAUTH_ISSUER))
    throw new ConfigError([
      {
        variable: 'SESSION_COOKIE_SECURE',
        message: `false is accepted only with a loopback http issuer (local development); OAUTH_ISSUER is ${config.OAUTH_ISSUER}`,
      },
    ]);
  return config;
}

/** http://127.0.0.1…, http://[::1]… or http://localhost…: a developer's own machine. */
function isLoopbackHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && (hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]');
}

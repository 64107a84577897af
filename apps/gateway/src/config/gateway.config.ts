import {
  defineEnv,
  envVar,
  host,
  hostPortList,
  integer,
  InvalidValue,
  logLevel,
  port,
  readEnv,
  string,
  type Env,
  type EnvConfig,
} from '@latchkey/config';

export const SERVICE_NAME = 'gateway';

/**
 * Every environment variable gateway reads. A `localDefault` fits only a developer machine, so
 * a deployment must set that variable (infra/tests checks docker-compose.yml against this spec).
 */
export const GATEWAY_ENV = defineEnv({
  HOST: host({ localDefault: '127.0.0.1', description: 'address the HTTP server binds to (0.0.0.0 in a container)' }),
  PORT: port({ localDefault: 8080, description: 'HTTP port' }),
  KAFKA_BROKERS: hostPortList({ localDefault: ['127.0.0.1:9092'], description: 'Kafka bootstrap brokers' }),
  LOG_LEVEL: logLevel({ description: 'error|warn|log|debug' }),
  ROUTES_FILE: string({
    localDefault: 'routes.local.yaml',
    description: 'the route policy (YAML or JSON; a relative path is from the working directory), validated at start',
  }),
  INTROSPECTION_URL: envVar(
    'an http(s) URL',
    (raw) => {
      if (!/^https?:\/\/[^\s]+$/.test(raw)) throw new InvalidValue('an http(s) URL');
      return raw;
    },
    {
      localDefault: 'http://127.0.0.1:3103/internal/introspect',
      description: "token-service's internal introspection endpoint (miss fallback)",
    },
  ),
  INTERNAL_SERVICE_TOKEN: envVar(
    'a random string of at least 32 characters',
    (raw) => {
      if (raw.length < 32) throw new InvalidValue('a random string of at least 32 characters');
      return raw;
    },
    {
      sensitive: true,
      localDefault: 'local-development-internal-token-0000',
      description: 'credential presented to token-service’s internal listener',
    },
  ),
  MISS_FALLBACK_PER_SECOND: integer({
    min: 0,
    max: 10_000,
    default: 20,
    description: 'introspection calls per second for unknown tokens, all together (0 = off)',
  }),
  STALENESS_LIMIT_SECONDS: integer({
    min: 1,
    max: 86_400,
    default: 300,
    description: 'without word from Kafka for longer, protected routes answer 503 until caught up again',
  }),
  USAGE_FLUSH_SECONDS: integer({
    min: 1,
    max: 3_600,
    default: 10,
    description: 'how often token use is published to token-usage.v1 (one entry per token per interval)',
  }),
});

export type GatewayConfig = EnvConfig<typeof GATEWAY_ENV>;

/** Injection token of the GatewayConfig, provided by AppModule.forRoot. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  return readEnv(GATEWAY_ENV, env);
}

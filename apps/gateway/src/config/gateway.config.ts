import {
  ConfigError,
  defineEnv,
  envVar,
  host,
  hostPortList,
  integer,
  InvalidValue,
  KAFKA_FETCH_WAIT_ENV,
  logLevel,
  port,
  readEnv,
  string,
  type Env,
  type EnvConfig,
} from '@latchkey/config';
import { parseTrustedProxies } from '../proxy/trusted-proxies';

export const SERVICE_NAME = 'gateway';

/**
 * Every environment variable gateway reads. A `localDefault` fits only a developer machine, so
 * a deployment must set that variable (infra/tests checks docker-compose.yml against this spec).
 */
export const GATEWAY_ENV = defineEnv({
  HOST: host({ localDefault: '127.0.0.1', description: 'address the HTTP server binds to (0.0.0.0 in a container)' }),
  PORT: port({ localDefault: 8080, description: 'HTTP port' }),
  KAFKA_BROKERS: hostPortList({ localDefault: ['127.0.0.1:9092'], description: 'Kafka bootstrap brokers' }),
  METRICS_HOST: host({
    localDefault: '127.0.0.1',
    description: 'address of the internal listener (/metrics, /healthz, /readyz); keep it off the public network',
  }),
  METRICS_PORT: port({ default: 9464, description: 'port of the internal listener' }),
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
  MISS_FALLBACK_PER_CLIENT_PER_SECOND: integer({
    min: 0,
    max: 10_000,
    default: 2,
    description:
      'introspection calls per second for unknown tokens from one client address, within the global budget (0 = no per-client budget)',
  }),
  TRUSTED_PROXIES: envVar(
    'a comma-separated list of IP addresses or CIDR blocks (e.g. 10.0.0.0/8,192.168.1.10)',
    (raw) => {
      try {
        return parseTrustedProxies(raw);
      } catch (err) {
        throw new InvalidValue(
          `a comma-separated list of IP addresses or CIDR blocks (e.g. 10.0.0.0/8,192.168.1.10); ${(err as Error).message}`,
        );
      }
    },
    {
      default: [] as string[],
      description:
        'peers whose Forwarded / X-Real-IP / X-Forwarded-* headers are believed (default none: dropped from everyone)',
    },
  ),
  BODY_LIMIT_BYTES: integer({
    min: 1,
    max: 1024 * 1024 * 1024,
    default: 10 * 1024 * 1024,
    description: 'largest request body streamed upstream (declared or counted); larger answers 413',
  }),
  HEADERS_TIMEOUT_SECONDS: integer({
    min: 1,
    max: 3_600,
    default: 30,
    description: 'time a client has to send the request headers (then 408 and the connection is closed)',
  }),
  REQUEST_TIMEOUT_SECONDS: integer({
    min: 1,
    max: 86_400,
    default: 60,
    description:
      'time a client has to send the whole request, headers and body (then 408); at least HEADERS_TIMEOUT_SECONDS',
  }),
  ...KAFKA_FETCH_WAIT_ENV,
  STALENESS_LIMIT_SECONDS: integer({
    min: 1,
    max: 86_400,
    default: 60,
    description:
      'without progress from Kafka for longer (a partition behind and not moving, or Kafka unreachable), protected routes answer 503 until caught up again',
  }),
  USAGE_FLUSH_SECONDS: integer({
    min: 1,
    max: 3_600,
    default: 10,
    description: 'how often token use is published to token-usage.v1 (one entry per token per interval)',
  }),
});

export type GatewayConfig = EnvConfig<typeof GATEWAY_ENV>;

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const config = readEnv(GATEWAY_ENV, env);
  if (config.HEADERS_TIMEOUT_SECONDS > config.REQUEST_TIMEOUT_SECONDS)
    throw new ConfigError([
      {
        variable: 'HEADERS_TIMEOUT_SECONDS',
        message: `must be at most REQUEST_TIMEOUT_SECONDS (${config.REQUEST_TIMEOUT_SECONDS}), got ${config.HEADERS_TIMEOUT_SECONDS}`,
      },
    ]);
  return config;
}

import { defineEnv, host, hostPortList, logLevel, port, readEnv, type Env, type EnvConfig } from '@latchkey/config';

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
});

export type GatewayConfig = EnvConfig<typeof GATEWAY_ENV>;

/** Injection token of the GatewayConfig, provided by AppModule.forRoot. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  return readEnv(GATEWAY_ENV, env);
}

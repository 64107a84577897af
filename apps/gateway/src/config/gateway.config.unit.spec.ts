import { ConfigError } from '@latchkey/config';
import { loadGatewayConfig, GATEWAY_ENV } from './gateway.config';

describe('gateway config', () => {
  it('given an empty environment, then the local development defaults apply', () => {
    expect(loadGatewayConfig({})).toEqual({
      HOST: '127.0.0.1',
      PORT: 8080,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      LOG_LEVEL: 'log',
      ROUTES_FILE: 'routes.local.yaml',
      INTROSPECTION_URL: 'http://127.0.0.1:3103/internal/introspect',
      INTERNAL_SERVICE_TOKEN: 'local-development-internal-token-0000',
      MISS_FALLBACK_PER_SECOND: 20,
      STALENESS_LIMIT_SECONDS: 300,
      USAGE_FLUSH_SECONDS: 10,
    });
  });

  it('given container settings, then they are parsed', () => {
    const config = loadGatewayConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      KAFKA_BROKERS: 'kafka:9092',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({ HOST: '0.0.0.0', PORT: 8080, KAFKA_BROKERS: ['kafka:9092'], LOG_LEVEL: 'warn' });
  });

  it('given bad values, then one ConfigError names every bad variable', () => {
    let caught: unknown;
    try {
      loadGatewayConfig({ PORT: '0', KAFKA_BROKERS: 'kafka', LOG_LEVEL: 'loud' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.variable)).toEqual(['PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
  });

  it('declares the variables the service reads', () => {
    expect(Object.keys(GATEWAY_ENV)).toEqual([
      'HOST',
      'PORT',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'ROUTES_FILE',
      'INTROSPECTION_URL',
      'INTERNAL_SERVICE_TOKEN',
      'MISS_FALLBACK_PER_SECOND',
      'STALENESS_LIMIT_SECONDS',
      'USAGE_FLUSH_SECONDS',
    ]);
  });
});

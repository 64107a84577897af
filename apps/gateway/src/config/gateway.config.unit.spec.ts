import { ConfigError } from '@latchkey/config';
import { loadGatewayConfig, GATEWAY_ENV } from './gateway.config';

describe('gateway config', () => {
  it('given an empty environment, then the local development defaults apply', () => {
    expect(loadGatewayConfig({})).toEqual({
      HOST: '127.0.0.1',
      PORT: 8080,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: 9464,
      LOG_LEVEL: 'log',
      ROUTES_FILE: 'routes.local.yaml',
      INTROSPECTION_URL: 'http://127.0.0.1:3103/internal/introspect',
      INTERNAL_SERVICE_TOKEN: 'local-development-internal-token-0000',
      MISS_FALLBACK_PER_SECOND: 20,
      MISS_FALLBACK_PER_CLIENT_PER_SECOND: 2,
      TRUSTED_PROXIES: [],
      BODY_LIMIT_BYTES: 10 * 1024 * 1024,
      HEADERS_TIMEOUT_SECONDS: 30,
      REQUEST_TIMEOUT_SECONDS: 60,
      STALENESS_LIMIT_SECONDS: 60,
      KAFKA_FETCH_WAIT_MS: 5_000,
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
      'METRICS_HOST',
      'METRICS_PORT',
      'LOG_LEVEL',
      'ROUTES_FILE',
      'INTROSPECTION_URL',
      'INTERNAL_SERVICE_TOKEN',
      'MISS_FALLBACK_PER_SECOND',
      'MISS_FALLBACK_PER_CLIENT_PER_SECOND',
      'TRUSTED_PROXIES',
      'BODY_LIMIT_BYTES',
      'HEADERS_TIMEOUT_SECONDS',
      'REQUEST_TIMEOUT_SECONDS',
      'KAFKA_FETCH_WAIT_MS',
      'STALENESS_LIMIT_SECONDS',
      'USAGE_FLUSH_SECONDS',
    ]);
  });

  it('given edge settings, then they are parsed', () => {
    expect(
      loadGatewayConfig({
        METRICS_HOST: '0.0.0.0',
        METRICS_PORT: '9100',
        TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.10',
        BODY_LIMIT_BYTES: '1048576',
        HEADERS_TIMEOUT_SECONDS: '10',
        REQUEST_TIMEOUT_SECONDS: '10',
        MISS_FALLBACK_PER_CLIENT_PER_SECOND: '0',
      }),
    ).toMatchObject({
      METRICS_HOST: '0.0.0.0',
      METRICS_PORT: 9100,
      TRUSTED_PROXIES: ['10.0.0.0/8', '192.168.1.10'],
      BODY_LIMIT_BYTES: 1048576,
      HEADERS_TIMEOUT_SECONDS: 10,
      REQUEST_TIMEOUT_SECONDS: 10,
      MISS_FALLBACK_PER_CLIENT_PER_SECOND: 0,
    });
  });

  it('given a bad trusted proxy entry, then it is named', () => {
    expect(() => loadGatewayConfig({ TRUSTED_PROXIES: '10.0.0.0/8,proxy.internal' })).toThrow(
      /TRUSTED_PROXIES: must be a comma-separated list of IP addresses or CIDR blocks .*"proxy.internal" is not an IP address/,
    );
  });

  it('given a headers timeout longer than the request timeout, then it is refused', () => {
    expect(() => loadGatewayConfig({ HEADERS_TIMEOUT_SECONDS: '61' })).toThrow(
      'HEADERS_TIMEOUT_SECONDS: must be at most REQUEST_TIMEOUT_SECONDS (60), got 61',
    );
  });
});

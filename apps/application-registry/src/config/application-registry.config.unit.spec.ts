import { ConfigError } from '@latchkey/config';
import { loadApplicationRegistryConfig, APPLICATION_REGISTRY_ENV } from './application-registry.config';

describe('application-registry config', () => {
  it('given an empty environment, then the local development defaults apply', () => {
    expect(loadApplicationRegistryConfig({})).toEqual({
      HOST: '127.0.0.1',
      PORT: 3002,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/latchkey_applications',
      CONSOLE_CLIENT_ID: 'f398c2c5-80ad-4377-988c-14aa059ef5d0',
      CONSOLE_REDIRECT_URI: 'http://127.0.0.1:3000/callback',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      LOG_LEVEL: 'log',
      INTERNAL_SERVICE_TOKEN: 'local-development-internal-token-0000',
      INTROSPECTION_URL: 'http://127.0.0.1:3103/internal/introspect',
      MISS_FALLBACK_PER_SECOND: 20,
      MISS_FALLBACK_PER_CLIENT_PER_SECOND: 2,
      STALENESS_LIMIT_SECONDS: 60,
      KAFKA_FETCH_WAIT_MS: 5_000,
      OUTBOX_POLL_MS: 1000,
      PROCESSED_EVENTS_RETENTION_DAYS: 30,
    });
  });

  it('given container settings, then they are parsed', () => {
    const config = loadApplicationRegistryConfig({
      HOST: '0.0.0.0',
      PORT: '3002',
      DATABASE_URL: 'postgres://postgres@postgres:5432/latchkey_applications',
      KAFKA_BROKERS: 'kafka:9092',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({ HOST: '0.0.0.0', PORT: 3002, KAFKA_BROKERS: ['kafka:9092'], LOG_LEVEL: 'warn' });
  });

  it('given bad values, then one ConfigError names every bad variable', () => {
    let caught: unknown;
    try {
      loadApplicationRegistryConfig({
        PORT: '0',
        DATABASE_URL: 'http://db/x',
        KAFKA_BROKERS: 'kafka',
        LOG_LEVEL: 'loud',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.variable)).toEqual([
      'PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
    ]);
  });

  it('declares the variables the service reads', () => {
    expect(Object.keys(APPLICATION_REGISTRY_ENV)).toEqual([
      'HOST',
      'PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'CONSOLE_CLIENT_ID',
      'CONSOLE_REDIRECT_URI',
      'INTERNAL_SERVICE_TOKEN',
      'INTROSPECTION_URL',
      'MISS_FALLBACK_PER_SECOND',
      'MISS_FALLBACK_PER_CLIENT_PER_SECOND',
      'STALENESS_LIMIT_SECONDS',
      'KAFKA_FETCH_WAIT_MS',
      'OUTBOX_POLL_MS',
      'PROCESSED_EVENTS_RETENTION_DAYS',
    ]);
  });
});

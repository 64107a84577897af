import { ConfigError } from '@latchkey/config';
import { loadIdentityServiceConfig, IDENTITY_SERVICE_ENV } from './identity-service.config';

describe('identity-service config', () => {
  it('given an empty environment, then the local development defaults apply', () => {
    expect(loadIdentityServiceConfig({})).toEqual({
      HOST: '127.0.0.1',
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/latchkey_identity',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      LOG_LEVEL: 'log',
      RECORD_TYPES: ['requests', 'incidents', 'orders'],
      INTERNAL_HOST: '127.0.0.1',
      INTERNAL_PORT: 3101,
      INTERNAL_SERVICE_TOKEN: 'local-development-internal-token-0000',
      INTROSPECTION_URL: 'http://127.0.0.1:3103/internal/introspect',
      MISS_FALLBACK_PER_SECOND: 20,
      MISS_FALLBACK_PER_CLIENT_PER_SECOND: 2,
      STALENESS_LIMIT_SECONDS: 60,
      KAFKA_FETCH_WAIT_MS: 5_000,
      OUTBOX_POLL_MS: 1000,
      PROCESSED_EVENTS_RETENTION_DAYS: 30,
      BOOTSTRAP_DIRECTORY_NAME: 'Directory',
      CONSOLE_URL: 'http://127.0.0.1:3000',
      BOOTSTRAP_ADMIN_EMAIL: '',
      BOOTSTRAP_ADMIN_PASSWORD: '',
    });
  });

  it('given container settings, then they are parsed', () => {
    const config = loadIdentityServiceConfig({
      HOST: '0.0.0.0',
      PORT: '3001',
      DATABASE_URL: 'postgres://postgres@postgres:5432/latchkey_identity',
      KAFKA_BROKERS: 'kafka:9092',
      LOG_LEVEL: 'warn',
      RECORD_TYPES: 'tickets, assets,tickets',
      BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com',
    });
    expect(config).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 3001,
      KAFKA_BROKERS: ['kafka:9092'],
      LOG_LEVEL: 'warn',
      RECORD_TYPES: ['tickets', 'assets'],
      BOOTSTRAP_ADMIN_EMAIL: 'root@example.com',
    });
  });

  it('given bad values, then one ConfigError names every bad variable and never echoes a secret', () => {
    let caught: unknown;
    try {
      loadIdentityServiceConfig({
        PORT: '0',
        DATABASE_URL: 'http://db/x',
        KAFKA_BROKERS: 'kafka',
        LOG_LEVEL: 'loud',
        RECORD_TYPES: 'Orders,x-y',
        INTERNAL_SERVICE_TOKEN: 'short-secret',
        BOOTSTRAP_ADMIN_EMAIL: 'not-an-email',
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
      'RECORD_TYPES',
      'INTERNAL_SERVICE_TOKEN',
      'BOOTSTRAP_ADMIN_EMAIL',
    ]);
    expect((caught as Error).message).not.toContain('short-secret');
  });

  it('declares the variables the service reads', () => {
    expect(Object.keys(IDENTITY_SERVICE_ENV)).toEqual([
      'HOST',
      'PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'RECORD_TYPES',
      'INTERNAL_HOST',
      'INTERNAL_PORT',
      'INTERNAL_SERVICE_TOKEN',
      'INTROSPECTION_URL',
      'MISS_FALLBACK_PER_SECOND',
      'MISS_FALLBACK_PER_CLIENT_PER_SECOND',
      'STALENESS_LIMIT_SECONDS',
      'KAFKA_FETCH_WAIT_MS',
      'OUTBOX_POLL_MS',
      'PROCESSED_EVENTS_RETENTION_DAYS',
      'BOOTSTRAP_DIRECTORY_NAME',
      'BOOTSTRAP_ADMIN_EMAIL',
      'BOOTSTRAP_ADMIN_PASSWORD',
      'CONSOLE_URL',
    ]);
  });
});

import { ConfigError } from '@latchkey/config';
import { loadTokenServiceConfig, TOKEN_SERVICE_ENV } from './token-service.config';

describe('token-service config', () => {
  it('relaxes Secure cookies only for a loopback http issuer', () => {
    for (const issuer of ['http://127.0.0.1:3003', 'http://localhost:3003', 'http://[::1]:3003'])
      expect(
        loadTokenServiceConfig({ OAUTH_ISSUER: issuer, SESSION_COOKIE_SECURE: 'false' }).SESSION_COOKIE_SECURE,
      ).toBe('false');
    for (const issuer of ['https://auth.example.com', 'http://auth.example.com', 'https://127.0.0.1'])
      expect(() => loadTokenServiceConfig({ OAUTH_ISSUER: issuer, SESSION_COOKIE_SECURE: 'false' })).toThrow(
        /SESSION_COOKIE_SECURE: false is accepted only with a loopback http issuer/,
      );
    expect(() => loadTokenServiceConfig({ SESSION_COOKIE_SECURE: 'no' })).toThrow(ConfigError);
  });

  it('given an empty environment, then the local development defaults apply', () => {
    expect(loadTokenServiceConfig({})).toEqual({
      HOST: '127.0.0.1',
      PORT: 3003,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/latchkey_tokens',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      LOG_LEVEL: 'log',
      INTERNAL_HOST: '127.0.0.1',
      INTERNAL_PORT: 3103,
      INTERNAL_SERVICE_TOKEN: 'local-development-internal-token-0000',
      OAUTH_ISSUER: 'http://127.0.0.1:3003',
      LOGIN_CHECK_URL: 'http://127.0.0.1:3101/internal/login-check',
      SESSION_COOKIE_SECURE: 'true',
      MISS_FALLBACK_PER_SECOND: 20,
      MISS_FALLBACK_PER_CLIENT_PER_SECOND: 2,
      STALENESS_LIMIT_SECONDS: 60,
      KAFKA_FETCH_WAIT_MS: 5_000,
      OUTBOX_POLL_MS: 1000,
      PROCESSED_EVENTS_RETENTION_DAYS: 30,
      EXPIRED_TOKEN_RETENTION_DAYS: 7,
    });
  });

  it('given container settings, then they are parsed', () => {
    const config = loadTokenServiceConfig({
      HOST: '0.0.0.0',
      PORT: '3003',
      DATABASE_URL: 'postgres://postgres@postgres:5432/latchkey_tokens',
      KAFKA_BROKERS: 'kafka:9092',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({ HOST: '0.0.0.0', PORT: 3003, KAFKA_BROKERS: ['kafka:9092'], LOG_LEVEL: 'warn' });
  });

  it('given bad values, then one ConfigError names every bad variable', () => {
    let caught: unknown;
    try {
      loadTokenServiceConfig({ PORT: '0', DATABASE_URL: 'http://db/x', KAFKA_BROKERS: 'kafka', LOG_LEVEL: 'loud' });
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
    expect(Object.keys(TOKEN_SERVICE_ENV)).toEqual([
      'HOST',
      'PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'INTERNAL_HOST',
      'INTERNAL_PORT',
      'INTERNAL_SERVICE_TOKEN',
      'OAUTH_ISSUER',
      'LOGIN_CHECK_URL',
      'SESSION_COOKIE_SECURE',
      'MISS_FALLBACK_PER_SECOND',
      'MISS_FALLBACK_PER_CLIENT_PER_SECOND',
      'STALENESS_LIMIT_SECONDS',
      'KAFKA_FETCH_WAIT_MS',
      'OUTBOX_POLL_MS',
      'PROCESSED_EVENTS_RETENTION_DAYS',
      'EXPIRED_TOKEN_RETENTION_DAYS',
    ]);
  });
});

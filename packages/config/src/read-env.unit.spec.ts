import { hostPortList, port, postgresUrl, string } from './env-var';
import { logLevel, nestLogLevels } from './log-level';
import { ConfigError, defineEnv, isEnvSpec, readEnv, requiredInDeployment } from './read-env';

const spec = defineEnv({
  PORT: port({ localDefault: 3001 }),
  DATABASE_URL: postgresUrl({ localDefault: 'postgres://postgres@127.0.0.1:5432/app' }),
  KAFKA_BROKERS: hostPortList({ localDefault: ['127.0.0.1:9092'] }),
  LOG_LEVEL: logLevel(),
});

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('readEnv', () => {
  it('given an empty environment, when read, then every fallback applies', () => {
    expect(readEnv(spec, {})).toEqual({
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      LOG_LEVEL: 'log',
    });
  });

  it('given set variables, when read, then they are parsed and typed', () => {
    const config = readEnv(spec, {
      PORT: ' 4000 ',
      DATABASE_URL: 'postgres://u@db/x',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      LOG_LEVEL: 'debug',
    });
    const typed: { PORT: number; KAFKA_BROKERS: string[]; LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' } = config;
    expect(typed).toEqual({
      PORT: 4000,
      DATABASE_URL: 'postgres://u@db/x',
      KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      LOG_LEVEL: 'debug',
    });
  });

  it('given a blank variable, when read, then it counts as unset', () => {
    expect(readEnv(spec, { PORT: '  ' }).PORT).toBe(3001);
  });

  it('given several bad variables, when read, then one ConfigError names each of them', () => {
    const err = configError(() => readEnv(spec, { PORT: '70000', KAFKA_BROKERS: 'kafka', LOG_LEVEL: 'trace' }));
    expect(err.issues.map((i) => i.variable)).toEqual(['PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
    expect(err.message).toContain('3 problems');
    expect(err.message).toContain('PORT: must be an integer from 1 to 65535 (got "70000")');
    expect(err.message).toContain('LOG_LEVEL: must be one of error|warn|log|debug (got "trace")');
  });

  it('given a missing required variable, when read, then it is reported as required', () => {
    const err = configError(() => readEnv({ SECRET: string() }, {}));
    expect(err.message).toContain('SECRET: is required but not set; expected a non-empty string');
  });

  it('given a bad sensitive variable, when read, then its value is not echoed', () => {
    const err = configError(() => readEnv(spec, { DATABASE_URL: 'mysql://root:hunter2@db/x' }));
    expect(err.message).toContain('DATABASE_URL: must be a postgres:// URL');
    expect(err.message).not.toContain('hunter2');
  });

  it('reads process.env by default', () => {
    process.env.LK_CONFIG_TEST_PORT = '1234';
    try {
      expect(readEnv({ LK_CONFIG_TEST_PORT: port() }).LK_CONFIG_TEST_PORT).toBe(1234);
    } finally {
      delete process.env.LK_CONFIG_TEST_PORT;
    }
  });
});

describe('requiredInDeployment', () => {
  it('lists variables without a default everywhere (required or local-only fallback)', () => {
    expect(requiredInDeployment({ ...spec, SECRET: string() })).toEqual([
      'PORT',
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'SECRET',
    ]);
  });
});

describe('isEnvSpec', () => {
  it('recognises specs', () => {
    expect(isEnvSpec(spec)).toBe(true);
    expect(isEnvSpec({})).toBe(false);
    expect(isEnvSpec({ a: 1 })).toBe(false);
    expect(isEnvSpec('x')).toBe(false);
  });
});

describe('nestLogLevels', () => {
  it('enables the level and everything more severe', () => {
    expect(nestLogLevels('error')).toEqual(['fatal', 'error']);
    expect(nestLogLevels('log')).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(nestLogLevels('debug')).toContain('verbose');
  });

  it('rejects a variable with both kinds of default', () => {
    expect(() => port({ default: 1, localDefault: 2 })).toThrow('not both');
  });
});

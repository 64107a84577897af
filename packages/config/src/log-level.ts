import { oneOf, type EnvVar, type EnvVarOptions } from './env-var';

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_LEVEL: error|warn|log|debug, default log. */
export function logLevel(options: EnvVarOptions<LogLevel> = {}): EnvVar<LogLevel> {
  return oneOf(LOG_LEVELS, { default: 'log', ...options });
}

/** Structurally the same strings as Nest's `LogLevel`, without depending on Nest. */
export type NestLogLevel = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** The Nest logger levels enabled at a LOG_LEVEL: that level and everything more severe. */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  switch (level) {
    case 'error':
      return ['fatal', 'error'];
    case 'warn':
      return ['fatal', 'error', 'warn'];
    case 'log':
      return ['fatal', 'error', 'warn', 'log'];
    case 'debug':
      return ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
    default: {
      const never: never = level;
      throw new Error(`unknown log level ${String(never)}`);
    }
  }
}

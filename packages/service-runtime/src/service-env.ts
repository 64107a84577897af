import { httpUrl, integer, KAFKA_FETCH_WAIT_ENV } from '@latchkey/config';
import { httpIntrospection, MissFallback, type IntrospectFn } from '@latchkey/token-verifier';

/** Where a service other than token-service asks about a token its projection does not know yet. */
export const INTROSPECTION_ENV = {
  INTROSPECTION_URL: httpUrl({
    localDefault: 'http://127.0.0.1:3103/internal/introspect',
    description:
      "token-service's internal introspection, asked once about a well-formed token this service's projection does not know yet (used right after issue)",
  }),
} as const;

/**
 * The environment every service's token verifier reads (spread into the service's own spec): how
 * often it may ask about a token it does not know yet, and how long it may go without progress
 * from Kafka before its bearer routes answer 503.
 */
export const VERIFIER_ENV = {
  MISS_FALLBACK_PER_SECOND: integer({
    default: 20,
    min: 0,
    max: 10_000,
    description: 'introspection calls per second for unknown tokens, all clients together (0 = off)',
  }),
  MISS_FALLBACK_PER_CLIENT_PER_SECOND: integer({
    default: 2,
    min: 0,
    max: 10_000,
    description: 'introspection calls per second for unknown tokens from one client address (0 = no per-client budget)',
  }),
  STALENESS_LIMIT_SECONDS: integer({
    default: 60,
    min: 1,
    max: 86_400,
    description:
      'without progress from Kafka for longer (a partition behind and not moving, or Kafka unreachable), bearer routes answer 503 until caught up again',
  }),
  ...KAFKA_FETCH_WAIT_ENV,
} as const;

/** How long the service's bounded tables keep what they hold (README: retention). */
export const RETENTION_ENV = {
  OUTBOX_POLL_MS: integer({
    default: 1_000,
    min: 10,
    max: 3_600_000,
    description:
      'the outbox relay’s fallback poll, for rows written by other processes or left by a crash (this process’s own commits leave at once)',
  }),
  PROCESSED_EVENTS_RETENTION_DAYS: integer({
    default: 30,
    min: 1,
    max: 3650,
    description:
      'how long idempotent consumers remember a handled event id (keep Kafka’s offsets.retention.minutes above it)',
  }),
} as const;

export interface VerifierSettings {
  MISS_FALLBACK_PER_SECOND: number;
  MISS_FALLBACK_PER_CLIENT_PER_SECOND: number;
  STALENESS_LIMIT_SECONDS: number;
  KAFKA_FETCH_WAIT_MS: number;
}

/**
 * The ServiceRuntime options for the verifier from those settings: a miss fallback — to
 * token-service's introspection over HTTP with the service credential, or to a lookup of token-service's
 * own — and the staleness limit.
 */
export function verifierOptions(
  settings: VerifierSettings,
  lookup: { url: string; credential: string } | IntrospectFn,
): { missFallback?: MissFallback; stalenessLimitMs: number; fetchWaitMs: number } {
  const missFallback =
    settings.MISS_FALLBACK_PER_SECOND > 0
      ? new MissFallback({
          introspect: typeof lookup === 'function' ? lookup : httpIntrospection(lookup),
          ratePerSecond: settings.MISS_FALLBACK_PER_SECOND,
          perClientPerSecond: settings.MISS_FALLBACK_PER_CLIENT_PER_SECOND,
        })
      : undefined;
  return {
    missFallback,
    stalenessLimitMs: settings.STALENESS_LIMIT_SECONDS * 1000,
    fetchWaitMs: settings.KAFKA_FETCH_WAIT_MS,
  };
}

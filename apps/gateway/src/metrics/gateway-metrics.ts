import type { InactiveReason } from '@latchkey/token-verifier';
import type { Counter, CounterChild, GaugeFn, Histogram, MetricsRegistry } from './metrics';

/** `active`, or why a request's token was not accepted. */
export type VerificationResult =
  'active' | InactiveReason | 'missing' | 'insufficient_scope' | 'subject_kind_not_allowed';

/** Every verification result, pre-bound so that each series is exported (as 0) from the first scrape. */
export const VERIFICATION_RESULTS: readonly VerificationResult[] = Object.freeze([
  'active',
  'malformed',
  'bad_checksum',
  'unknown',
  'expired',
  'token_revoked',
  'grant_revoked',
  'user_deactivated',
  'application_disabled',
  'account_not_allowed',
  'missing',
  'insufficient_scope',
  'subject_kind_not_allowed',
] satisfies VerificationResult[]);

/** Seconds, 1 ms … 10 s. */
export const GATEWAY_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

export interface GatewayMetricSources {
  /** Tokens held by the in-memory projection. */
  projectionSize: () => number;
  /** Consumer lag (messages) keyed `topic:partition`. */
  lagByPartition: () => Record<string, number>;
  /** When the projection last applied an event (ISO-8601), or null. Accepted but not exported: the metric set above is fixed and has no "last applied" gauge. */
  lastEventAppliedAt: () => string | null;
}

export interface GatewayMetrics {
  /** latchkey_gateway_verifications_total{result} */
  readonly verifications: Counter<'result'>;
  /** latchkey_gateway_requests_total{route,status} */
  readonly requests: Counter<'route' | 'status'>;
  /** latchkey_gateway_projection_tokens (computed at scrape) */
  readonly projectionTokens: GaugeFn;
  /** latchkey_gateway_consumer_lag{topic,partition} (computed at scrape) */
  readonly consumerLag: GaugeFn;
  /** latchkey_gateway_event_apply_delay_seconds: event occurredAt → applied to the projection */
  readonly eventApplyDelay: Histogram;
  /** latchkey_gateway_introspection_calls_total */
  readonly introspectionCalls: Counter;
  /** latchkey_gateway_upstream_duration_seconds{route} */
  readonly upstreamDuration: Histogram<'route'>;
  /** Hot path: one pre-bound increment per verification result. */
  countVerification(result: VerificationResult): void;
  /** Observes `appliedAtMs − occurredAt` (clamped at 0: clocks of producer and gateway may differ); an unparsable date is ignored. */
  observeEventApplied(occurredAt: string, appliedAtMs?: number): void;
}

export function createGatewayMetrics(registry: MetricsRegistry, sources: GatewayMetricSources): GatewayMetrics {
  const verifications = registry.counter(
    'latchkey_gateway_verifications_total',
    'Bearer token verifications by result (active or the inactive reason).',
    ['result'],
  );
  const requests = registry.counter(
    'latchkey_gateway_requests_total',
    'Requests answered by the gateway, by route and HTTP status.',
    ['route', 'status'],
  );
  const projectionTokens = registry.gaugeFn(
    'latchkey_gateway_projection_tokens',
    'Tokens held by the in-memory token projection.',
    () => [{ labels: {}, value: sources.projectionSize() }],
  );
  const consumerLag = registry.gaugeFn(
    'latchkey_gateway_consumer_lag',
    'Messages behind the end of each consumed topic partition.',
    () =>
      Object.entries(sources.lagByPartition()).map(([key, value]) => {
        // Topic names cannot contain ':', so the partition is what follows the last one.
        const at = key.lastIndexOf(':');
        const labels =
          at < 0 ? { topic: key, partition: '' } : { topic: key.slice(0, at), partition: key.slice(at + 1) };
        return { labels, value };
      }),
  );
  const eventApplyDelay = registry.histogram(
    'latchkey_gateway_event_apply_delay_seconds',
    'Time from an event occurring to the gateway applying it to its projection.',
    GATEWAY_LATENCY_BUCKETS,
  );
  const introspectionCalls = registry.counter(
    'latchkey_gateway_introspection_calls_total',
    'Calls to the token service introspection endpoint (projection misses).',
  );
  const upstreamDuration = registry.histogram(
    'latchkey_gateway_upstream_duration_seconds',
    'Duration of proxied upstream requests, by route.',
    GATEWAY_LATENCY_BUCKETS,
    ['route'],
  );

  const byResult = new Map<string, CounterChild>(
    VERIFICATION_RESULTS.map((result) => [result, verifications.labels({ result })]),
  );

  return {
    verifications,
    requests,
    projectionTokens,
    consumerLag,
    eventApplyDelay,
    introspectionCalls,
    upstreamDuration,
    countVerification(result: VerificationResult): void {
      const child = byResult.get(result);
      if (child !== undefined) child.inc();
      else verifications.inc({ result });
    },
    observeEventApplied(occurredAt: string, appliedAtMs: number = Date.now()): void {
      const occurredMs = Date.parse(occurredAt);
      if (Number.isNaN(occurredMs)) return;
      eventApplyDelay.observe(Math.max(0, appliedAtMs - occurredMs) / 1000);
    },
  };
}

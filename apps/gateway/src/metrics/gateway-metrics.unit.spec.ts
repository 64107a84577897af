import {
  createGatewayMetrics,
  GATEWAY_LATENCY_BUCKETS,
  VERIFICATION_RESULTS,
  type GatewayMetricSources,
} from './gateway-metrics';
import { MetricsRegistry } from './metrics';

function setup(overrides: Partial<GatewayMetricSources> = {}) {
  const registry = new MetricsRegistry();
  const sources: GatewayMetricSources = {
    projectionSize: () => 42,
    lagByPartition: () => ({ 'tokens.v1:0': 3, 'tokens.v1:1': 0, 'identity.v1:0': 7 }),
    lastEventAppliedAt: () => null,
    ...overrides,
  };
  return { registry, metrics: createGatewayMetrics(registry, sources) };
}

/** Sample lines of one metric family (its own name or name_*). */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `) || l.startsWith(`${name}_`));
}

describe('createGatewayMetrics', () => {
  it('defines exactly the gateway metric families with their types', () => {
    const { registry } = setup();
    const types = registry
      .render()
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.slice('# TYPE '.length));
    expect(types).toEqual([
      'latchkey_gateway_verifications_total counter',
      'latchkey_gateway_requests_total counter',
      'latchkey_gateway_projection_tokens gauge',
      'latchkey_gateway_consumer_lag gauge',
      'latchkey_gateway_event_apply_delay_seconds histogram',
      'latchkey_gateway_introspection_calls_total counter',
      'latchkey_gateway_upstream_duration_seconds histogram',
    ]);
  });

  it('counts verifications by result, every known result exported from the start', () => {
    const { registry, metrics } = setup();
    metrics.countVerification('active');
    metrics.countVerification('active');
    metrics.countVerification('token_revoked');
    metrics.verifications.inc({ result: 'subject_kind_not_allowed' });
    const lines = samples(registry.render(), 'latchkey_gateway_verifications_total');
    expect(lines).toHaveLength(VERIFICATION_RESULTS.length);
    expect(lines).toContain('latchkey_gateway_verifications_total{result="active"} 2');
    expect(lines).toContain('latchkey_gateway_verifications_total{result="token_revoked"} 1');
    expect(lines).toContain('latchkey_gateway_verifications_total{result="subject_kind_not_allowed"} 1');
    for (const r of ['expired', 'unknown', 'malformed', 'missing', 'insufficient_scope']) {
      expect(lines).toContain(`latchkey_gateway_verifications_total{result="${r}"} 0`);
    }
  });

  it('counts requests by route and status, and introspection calls', () => {
    const { registry, metrics } = setup();
    metrics.requests.inc({ route: 'orders', status: '200' });
    metrics.requests.labels({ route: 'orders', status: '401' }).inc(2);
    metrics.introspectionCalls.inc();
    const text = registry.render();
    expect(samples(text, 'latchkey_gateway_requests_total')).toEqual([
      'latchkey_gateway_requests_total{route="orders",status="200"} 1',
      'latchkey_gateway_requests_total{route="orders",status="401"} 2',
    ]);
    expect(samples(text, 'latchkey_gateway_introspection_calls_total')).toEqual([
      'latchkey_gateway_introspection_calls_total 1',
    ]);
  });

  it('computes projection size and consumer lag at scrape time, splitting topic:partition', () => {
    let size = 1;
    const { registry } = setup({ projectionSize: () => size });
    expect(samples(registry.render(), 'latchkey_gateway_projection_tokens')).toEqual([
      'latchkey_gateway_projection_tokens 1',
    ]);
    size = 5;
    const text = registry.render();
    expect(samples(text, 'latchkey_gateway_projection_tokens')).toEqual(['latchkey_gateway_projection_tokens 5']);
    expect(samples(text, 'latchkey_gateway_consumer_lag')).toEqual([
      'latchkey_gateway_consumer_lag{topic="tokens.v1",partition="0"} 3',
      'latchkey_gateway_consumer_lag{topic="tokens.v1",partition="1"} 0',
      'latchkey_gateway_consumer_lag{topic="identity.v1",partition="0"} 7',
    ]);
  });

  it('observes event apply delay from occurredAt (clamped at 0) in 1 ms … 10 s buckets', () => {
    const { registry, metrics } = setup();
    const applied = Date.parse('2025-01-15T10:00:00.000Z');
    metrics.observeEventApplied('2025-01-15T09:59:59.998Z', applied); // 2 ms
    metrics.observeEventApplied('2025-01-15T10:00:01.000Z', applied); // producer clock ahead: 0
    metrics.observeEventApplied('not a date', applied); // ignored
    const lines = samples(registry.render(), 'latchkey_gateway_event_apply_delay_seconds');
    expect(GATEWAY_LATENCY_BUCKETS[0]).toBe(0.001);
    expect(GATEWAY_LATENCY_BUCKETS[GATEWAY_LATENCY_BUCKETS.length - 1]).toBe(10);
    expect(lines).toContain('latchkey_gateway_event_apply_delay_seconds_bucket{le="0.001"} 1');
    expect(lines).toContain('latchkey_gateway_event_apply_delay_seconds_bucket{le="0.0025"} 2');
    expect(lines).toContain('latchkey_gateway_event_apply_delay_seconds_bucket{le="10"} 2');
    expect(lines).toContain('latchkey_gateway_event_apply_delay_seconds_bucket{le="+Inf"} 2');
    expect(lines).toContain('latchkey_gateway_event_apply_delay_seconds_sum 0.002');
    expect(lines).toContain('latchkey_gateway_event_apply_delay_seconds_count 2');
    expect(lines).toHaveLength(GATEWAY_LATENCY_BUCKETS.length + 3);
  });

  it('observes upstream duration by route', () => {
    const { registry, metrics } = setup();
    metrics.upstreamDuration.labels({ route: 'orders' }).observe(0.2);
    const lines = samples(registry.render(), 'latchkey_gateway_upstream_duration_seconds');
    expect(lines).toContain('latchkey_gateway_upstream_duration_seconds_bucket{route="orders",le="0.1"} 0');
    expect(lines).toContain('latchkey_gateway_upstream_duration_seconds_bucket{route="orders",le="0.25"} 1');
    expect(lines).toContain('latchkey_gateway_upstream_duration_seconds_count{route="orders"} 1');
  });
});

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { EventCatalog, Topics, type EventEnvelope } from '@latchkey/contracts';
import { createKafka, ensureTopics, EventProducer } from '@latchkey/messaging';
import { httpIntrospection, MissFallback, TokenVerifier } from '@latchkey/token-verifier';
import type { GatewayConfig } from './config/gateway.config';
import { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsRegistry } from './metrics/metrics';
import { createMetricsServer } from './metrics/metrics-server';
import { createGatewayServer } from './proxy/gateway-server';
import { TrustedProxies } from './proxy/trusted-proxies';
import { TokenRateLimiter } from './rate-limit/token-rate-limiter';
import { compileRoutes, loadRoutePolicyFile, type RoutePolicy } from './routes';
import { UsageAggregator } from './usage/usage-aggregator';

/** Test and tuning seams; production uses the defaults. */
export interface GatewayOverrides {
  kafka?: Kafka;
  topics?: { identity: string; tokens: string; applications: string; usage: string };
  /** The route policy itself (tests), instead of ROUTES_FILE. */
  policy?: RoutePolicy;
  /** How often the topics' high-water marks are read (lag, staleness); default a third of the limit, at most 15 s. */
  lagIntervalMs?: number;
}

export interface Gateway {
  /** The public listener (the routes, /healthz, /readyz). */
  server: FastifyInstance;
  /** The internal listener (/metrics, /healthz, /readyz), for METRICS_HOST:METRICS_PORT. */
  metricsServer: FastifyInstance;
  verifier: TokenVerifier;
  metrics: GatewayMetrics;
  usage: UsageAggregator;
  fallback: MissFallback | null;
  /** Stops accepting, flushes usage, stops consuming. */
  stop(): Promise<void>;
}

/**
 * Builds and starts everything but the listener: the route policy (validated: a bad file stops
 * the start with every problem listed), the token verifier (replaying the topics; protected
 * routes answer 503 until it has caught up), the miss fallback to token-service's introspection,
 * metrics, the usage publisher and the rate limiter. Call `server.listen()` and
 * `metricsServer.listen()` after.
 */
export async function startGateway(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const policy = overrides.policy ?? loadRoutePolicyFile(config.ROUTES_FILE);
  const routes = compileRoutes(policy);
  const topics = overrides.topics ?? {
    identity: Topics.identity,
    tokens: Topics.tokens,
    applications: Topics.applications,
    usage: Topics.tokenUsage,
  };
  const kafka = overrides.kafka ?? createKafka({ clientId: 'gateway', brokers: config.KAFKA_BROKERS });
  await ensureTopics(
    kafka,
    Object.values(topics).map((topic) => ({ topic })),
  );

  const registry = new MetricsRegistry();
  let verifier: TokenVerifier | null = null;
  const metrics = createGatewayMetrics(registry, {
    projectionSize: () => verifier?.projection.size ?? 0,
    lagByPartition: () => verifier?.stats().lag ?? {},
    lastEventAppliedAt: () => verifier?.stats().lastEventAppliedAt ?? null,
  });
  const introspect = httpIntrospection({ url: config.INTROSPECTION_URL, credential: config.INTERNAL_SERVICE_TOKEN });
  const fallback =
    config.MISS_FALLBACK_PER_SECOND > 0
      ? new MissFallback({
          introspect: (hash) => {
            metrics.introspectionCalls.inc();
            return introspect(hash);
          },
          ratePerSecond: config.MISS_FALLBACK_PER_SECOND,
          perClientPerSecond: config.MISS_FALLBACK_PER_CLIENT_PER_SECOND,
        })
      : null;
  const stalenessLimitMs = config.STALENESS_LIMIT_SECONDS * 1000;
  verifier = new TokenVerifier({
    kafka,
    topics: [topics.tokens, topics.identity, topics.applications],
    missFallback: fallback ?? undefined,
    stalenessLimitMs,
    fetchWaitMs: config.KAFKA_FETCH_WAIT_MS,
    lagIntervalMs: overrides.lagIntervalMs, // default: a third of the staleness limit, at most 15 s
    onApplied: (event) => metrics.observeEventApplied(event.occurredAt),
  });

  const producer = new EventProducer(kafka);
  await producer.connect();
  const usage = new UsageAggregator({
    flushIntervalMs: config.USAGE_FLUSH_SECONDS * 1000,
    publish: async (entries) => producer.publish([{ topic: topics.usage, envelope: tokensUsed(entries) }]),
  });
  await verifier.start();
  usage.start();

  const server = createGatewayServer({
    routes,
    verifier,
    stalenessLimitMs,
    metrics,
    usage,
    rateLimiter: new TokenRateLimiter(),
    trustedProxies: TrustedProxies.of(config.TRUSTED_PROXIES),
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    headersTimeoutMs: config.HEADERS_TIMEOUT_SECONDS * 1000,
    requestTimeoutMs: config.REQUEST_TIMEOUT_SECONDS * 1000,
  });
  const metricsServer = createMetricsServer({ verifier, stalenessLimitMs, registry });
  const started = verifier;
  return {
    server,
    metricsServer,
    verifier: started,
    metrics,
    usage,
    fallback,
    async stop() {
      await Promise.all([server.close(), metricsServer.close()]);
      await usage.stop();
      await started.stop();
      await producer.disconnect();
    },
  };
}

/** One TokensUsed event (key = the first entry's token id, as the contract says). */
function tokensUsed(entries: Array<{ tokenId: string; lastUsedAt: string; count: number }>): EventEnvelope {
  return {
    id: randomUUID(),
    type: 'TokensUsed',
    schemaVersion: EventCatalog.TokensUsed.schemaVersion,
    source: 'gateway',
    aggregateType: 'token-usage',
    aggregateId: entries[0].tokenId,
    aggregateVersion: 1,
    occurredAt: new Date().toISOString(),
    data: { entries },
  };
}

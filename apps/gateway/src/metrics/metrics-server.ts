import Fastify, { type FastifyInstance } from 'fastify';
import { sendProblem } from '../proxy/problem';
import type { MetricsRegistry } from './metrics';

export interface ProbeDeps {
  verifier: { isStale(limitMs: number): boolean };
  stalenessLimitMs: number;
}

/** `GET /healthz` (alive) and `GET /readyz` (projection caught up, else 503 with Retry-After). */
export function registerProbes(app: FastifyInstance, deps: ProbeDeps): void {
  app.get('/healthz', async () => ({ status: 'ok', service: 'gateway' }));
  app.get('/readyz', async (_req, reply) => {
    if (deps.verifier.isStale(deps.stalenessLimitMs))
      return sendProblem(
        reply,
        503,
        'not_ready',
        'The token projection is not caught up with Kafka (starting, or Kafka unreachable past the staleness limit).',
        { headers: { 'retry-after': '5' } },
      );
    return { status: 'ready' };
  });
}

/**
 * The internal listener (`METRICS_HOST:METRICS_PORT`, default 127.0.0.1:9464): Prometheus
 * `/metrics`, plus `/healthz` and `/readyz`. Not on the public port: the exposition names the
 * routes, the projection's size and the consumer lag, which is nobody's business outside, and the
 * scraper then needs no credential (the address is the lock, as with the services' internal
 * listeners). The public port keeps /healthz and /readyz for load balancers.
 */
export function createMetricsServer(deps: ProbeDeps & { registry: MetricsRegistry }): FastifyInstance {
  const app = Fastify({ logger: false });
  registerProbes(app, deps);
  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(deps.registry.render()),
  );
  app.setNotFoundHandler((_req, reply) =>
    sendProblem(reply, 404, 'not_found', 'The internal listener serves /metrics, /healthz and /readyz only.'),
  );
  return app;
}

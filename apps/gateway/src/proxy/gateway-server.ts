import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  authenticateBearerWithFallback,
  type ActiveToken,
  type BearerFailure,
  type FallbackBearerVerifier,
} from '@latchkey/token-verifier';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import type { MetricsRegistry } from '../metrics/metrics';
import type { TokenRateLimiter } from '../rate-limit/token-rate-limiter';
import { SUBJECT_KINDS, upstreamTarget, type Route, type RouteMatcher } from '../routes';
import type { UsageAggregator } from '../usage/usage-aggregator';
import { upstreamHeaders } from './proxy-headers';
import { UpstreamForwarder } from './upstream-forwarder';

export interface GatewayServerDeps {
  routes: RouteMatcher;
  verifier: FallbackBearerVerifier & { isStale(limitMs: number): boolean };
  stalenessLimitMs: number;
  metrics: GatewayMetrics;
  registry: MetricsRegistry;
  usage: UsageAggregator;
  rateLimiter: TokenRateLimiter;
  /** Time to an upstream's answer headers, and between its body chunks (default 30 s). */
  upstreamTimeoutMs?: number;
}

const PROBLEM = 'application/problem+json';

function problem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(status)
    .headers(headers)
    .type(PROBLEM)
    .send(
      JSON.stringify({
        type: `https://latchkey.dev/problems/${code}`,
        title: code.replace(/_/g, ' '),
        status,
        detail,
        code,
      }),
    );
}

function bearerFailure(reply: FastifyReply, failure: BearerFailure): FastifyReply {
  return reply
    .code(failure.status)
    .headers(failure.headers)
    .type('application/json')
    .send(JSON.stringify(failure.body));
}

/** What the metrics call an inactive verification: the RFC 6750 error, or the reason in its description. */
function resultLabel(failure: BearerFailure): string {
  if (failure.status === 503) return 'not_ready';
  if (failure.status === 400) return 'invalid_request';
  if (failure.status === 403) return 'insufficient_scope';
  if (failure.body.error === 'unauthorized') return 'missing';
  return 'invalid_token';
}

/**
 * The gateway: a Fastify server whose one catch-all route matches the route policy, verifies
 * the bearer token from the local projection (miss fallback to introspection for unknown tokens),
 * and streams the request to the upstream with undici, adding the verified identity headers.
 * Fails closed: before the projection is ready, and while it is stale, protected routes answer
 * 503. /healthz, /readyz and /metrics are the gateway's own.
 */
export function createGatewayServer(deps: GatewayServerDeps): FastifyInstance {
  const forwarder = new UpstreamForwarder({ timeoutMs: deps.upstreamTimeoutMs });
  const app = Fastify({ logger: false, trustProxy: false, bodyLimit: 10 * 1024 * 1024, ignoreTrailingSlash: false });

  // bodies are streamed to the upstream untouched: no parsing, whatever the content type
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  app.get('/healthz', async () => ({ status: 'ok', service: 'gateway' }));
  app.get('/readyz', async (_req, reply) => {
    if (deps.verifier.isStale(deps.stalenessLimitMs))
      return problem(
        reply,
        503,
        'not_ready',
        'The token projection is not caught up with Kafka (starting, or Kafka unreachable past the staleness limit).',
        { 'retry-after': '5' },
      );
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(deps.registry.render()),
  );

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/*',
    handler: (req, reply) => handle(req, reply),
  });

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const url = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q);
    const matched = deps.routes.match(req.method, pathname);
    if (!matched) return problem(reply, 404, 'not_found', 'No route matches this method and path.');
    const { route, params } = matched;

    let identity: ActiveToken | null = null;
    let account: string | null = null;
    if (!route.public) {
      if (deps.verifier.isStale(deps.stalenessLimitMs)) {
        deps.metrics.verifications.inc({ result: 'stale' });
        return problem(
          reply,
          503,
          'not_ready',
          'The gateway cannot vouch for tokens right now (projection not caught up with Kafka); try again shortly.',
          { 'retry-after': '5' },
        );
      }
      const outcome = await authenticateBearerWithFallback(
        deps.verifier,
        { headers: req.headers, raw: req.raw, url, params },
        { scopes: route.scopes, account: route.account },
      );
      if (!outcome.ok) {
        deps.metrics.verifications.inc({ result: resultLabel(outcome.failure) });
        return bearerFailure(reply, outcome.failure);
      }
      identity = outcome.token;
      const restricted = route.subjectKinds.length < SUBJECT_KINDS.length;
      if (restricted && (identity.subjectKind === null || !route.subjectKinds.includes(identity.subjectKind))) {
        deps.metrics.verifications.inc({ result: 'subject_kind_not_allowed' });
        return bearerFailure(reply, {
          status: 403,
          headers: {
            'WWW-Authenticate': `Bearer realm="latchkey", error="insufficient_scope", error_description="This route is not open to ${identity.subjectKind ?? 'unknown'} subjects"`,
          },
          body: {
            error: 'insufficient_scope',
            error_description: `This route is not open to ${identity.subjectKind ?? 'unknown'} subjects`,
          },
        });
      }
      if (route.rateLimit) {
        const { perTokenPerSecond, burst } = route.rateLimit;
        const taken = deps.rateLimiter.take(route.name, identity.tokenId, perTokenPerSecond, burst);
        if (!taken.allowed)
          return problem(reply, 429, 'rate_limited', 'Too many requests with this token; slow down.', {
            'retry-after': String(taken.retryAfterSeconds),
          });
      }
      deps.metrics.verifications.inc({ result: 'active' });
      deps.usage.record(identity.tokenId);
      account = route.account ? accountOf(route, req, params) : null;
    }
    return forward(req, reply, route, pathname, search, identity, account);
  }

  /** Streams the request to the upstream and its answer straight into the client's socket (Fastify's reply is hijacked). */
  async function forward(
    req: FastifyRequest,
    reply: FastifyReply,
    route: Route,
    pathname: string,
    search: string,
    identity: ActiveToken | null,
    account: string | null,
  ): Promise<FastifyReply> {
    const { origin, path } = upstreamTarget(route, pathname, search);
    const started = process.hrtime.bigint();
    const hasBody =
      req.method !== 'GET' &&
      req.method !== 'HEAD' &&
      (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
    reply.hijack();
    const outcome = await forwarder.forward(
      {
        origin,
        path,
        method: req.method,
        headers: upstreamHeaders(req.headers, {
          identity,
          account,
          forwardToken: route.forwardToken === true,
          clientAddress: req.ip,
          protocol: req.protocol,
        }),
        body: hasBody ? req.raw : undefined,
      },
      reply.raw,
      (res) => {
        const body = JSON.stringify({
          type: 'https://latchkey.dev/problems/upstream_unavailable',
          title: 'upstream unavailable',
          status: 502,
          detail: `The upstream of route ${route.name} did not answer.`,
          code: 'upstream_unavailable',
        });
        res.writeHead(502, { 'content-type': PROBLEM, 'content-length': Buffer.byteLength(body) }).end(body);
      },
    );
    if (outcome.answered)
      deps.metrics.upstreamDuration.observe({ route: route.name }, Number(process.hrtime.bigint() - started) / 1e9);
    deps.metrics.requests.inc({ route: route.name, status: String(outcome.status) });
    return reply;
  }

  app.addHook('onClose', () => forwarder.close());
  return app;
}

function accountOf(route: Route, req: FastifyRequest, params: Record<string, string>): string | null {
  const source = route.account!;
  if ('header' in source) {
    const v = req.headers[source.header.toLowerCase()];
    return typeof v === 'string' ? v : null;
  }
  return params[source.param] ?? null;
}

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  authenticateBearerWithFallback,
  type ActiveToken,
  type BearerFailure,
  type FallbackBearerVerifier,
} from '@latchkey/token-verifier';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { registerProbes } from '../metrics/metrics-server';
import type { TokenRateLimiter } from '../rate-limit/token-rate-limiter';
import { classifyRequestPath, SUBJECT_KINDS, upstreamTarget, type Route, type RouteMatcher } from '../routes';
import type { UsageAggregator } from '../usage/usage-aggregator';
import { sendProblem, writeProblem, writeProblemToSocket } from './problem';
import { upstreamHeaders } from './proxy-headers';
import { normalizeAddress, TrustedProxies } from './trusted-proxies';
import { UpstreamForwarder } from './upstream-forwarder';

export interface GatewayServerDeps {
  routes: RouteMatcher;
  verifier: FallbackBearerVerifier & { isStale(limitMs: number): boolean };
  stalenessLimitMs: number;
  metrics: GatewayMetrics;
  usage: UsageAggregator;
  rateLimiter: TokenRateLimiter;
  /** Time to an upstream's answer headers, and between its body chunks (default 30 s). */
  upstreamTimeoutMs?: number;
  /** Peers whose forwarding headers are believed (default none). */
  trustedProxies?: TrustedProxies;
  /** The largest request body streamed upstream, declared or counted (default 10 MiB). */
  bodyLimitBytes?: number;
  /** Time a client has to send the request headers (default 30 s). */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request, headers and body (default 60 s; at least headersTimeoutMs). */
  requestTimeoutMs?: number;
}

export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

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

/** Node's parser errors (`clientError`) as problems: a stalled client, oversized headers, or a request it cannot parse. */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    writeProblemToSocket(socket, 408, 'request_timeout', 'The request (headers and body) was not received in time.');
  else if (err.code === 'HPE_HEADER_OVERFLOW')
    writeProblemToSocket(socket, 431, 'headers_too_large', 'The request headers are too large.');
  else writeProblemToSocket(socket, 400, 'malformed_request', 'The request is not valid HTTP/1.1.');
}

/**
 * The gateway: a Fastify server whose one catch-all route matches the route policy, verifies
 * the bearer token from the local projection (miss fallback to introspection for unknown tokens),
 * and streams the request to the upstream with undici, adding the verified identity headers.
 *
 * Before anything routes a request (Fastify's router included), its path must pass
 * classifyRequestPath (else 400 `invalid_path`). Fails closed: before the projection is ready,
 * and while it is stale, protected routes answer 503. /healthz and /readyz are the gateway's own
 * (/metrics is on the internal listener, metrics-server.ts).
 *
 * Edge rules: headers must arrive within `headersTimeoutMs` and the whole request within
 * `requestTimeoutMs` (408, connection closed); a body over `bodyLimitBytes` is a 413 (declared:
 * before anything; streamed: when the limit is crossed, the upstream request aborted);
 * `Expect: 100-continue` is answered only once the request is routed and authorized, right
 * before its body is forwarded (never for a refused request), and any other expectation is a 417.
 */
export function createGatewayServer(deps: GatewayServerDeps): FastifyInstance {
  const forwarder = new UpstreamForwarder({ timeoutMs: deps.upstreamTimeoutMs });
  const trustedProxies = deps.trustedProxies ?? TrustedProxies.none;
  const bodyLimit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const headersTimeout = deps.headersTimeoutMs ?? 30_000;
  const requestTimeout = deps.requestTimeoutMs ?? 60_000;
  const tooLargeDetail = `The request body is larger than this gateway accepts (${bodyLimit} bytes).`;
  /** Requests that asked for `Expect: 100-continue` and have not been told to go on yet. */
  const awaitingContinue = new WeakSet<IncomingMessage>();

  const app = Fastify({
    logger: false,
    trustProxy: false,
    ignoreTrailingSlash: false,
    serverFactory: (handler) => {
      const front = (req: IncomingMessage, res: ServerResponse) => {
        const verdict = classifyRequestPath(req.url ?? '');
        if (!verdict.ok)
          return writeProblem(res, 400, 'invalid_path', verdict.detail, { extra: { reason: verdict.reason } });
        handler(req, res);
      };
      const server = http.createServer(
        {
          headersTimeout,
          requestTimeout,
          // how often Node looks for expired requests: the timeouts are exact to within this
          connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeout / 4))),
        },
        front,
      );
      server.keepAliveTimeout = 72_000; // longer than the usual load balancer idle timeout (60 s)
      server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
        awaitingContinue.add(req);
        front(req, res);
      });
      server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) =>
        writeProblem(res, 417, 'expectation_failed', 'The only expectation supported is "Expect: 100-continue".', {
          headers: { connection: 'close' },
        }),
      );
      return server;
    },
    clientErrorHandler: onClientError,
  });

  // bodies are streamed to the upstream untouched: no parsing, whatever the content type
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

  registerProbes(app, deps);
  // methods no route can list (TRACE, PROPFIND, …) end here: the same answer as an unmatched route
  app.setNotFoundHandler((_req, reply) =>
    sendProblem(reply, 404, 'not_found', 'No route matches this method and path.'),
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
    if (!matched) return sendProblem(reply, 404, 'not_found', 'No route matches this method and path.');
    const { route, params } = matched;
    const declaredLength = req.headers['content-length'];
    if (declaredLength !== undefined && Number(declaredLength) > bodyLimit)
      return sendProblem(reply, 413, 'body_too_large', tooLargeDetail, { headers: { connection: 'close' } });

    const peer = normalizeAddress(req.raw.socket.remoteAddress ?? '');
    const peerTrusted = trustedProxies.isTrusted(peer);
    const client = peerTrusted ? trustedProxies.clientAddress(peer, req.headers['x-forwarded-for']) : peer;

    let identity: ActiveToken | null = null;
    let account: string | null = null;
    if (!route.public) {
      if (deps.verifier.isStale(deps.stalenessLimitMs)) {
        deps.metrics.verifications.inc({ result: 'stale' });
        return sendProblem(
          reply,
          503,
          'not_ready',
          'The gateway cannot vouch for tokens right now (projection not caught up with Kafka); try again shortly.',
          { headers: { 'retry-after': '5' } },
        );
      }
      const outcome = await authenticateBearerWithFallback(
        deps.verifier,
        { headers: req.headers, raw: req.raw, url, params },
        { scopes: route.scopes, account: route.account },
        { clientKey: client }, // the miss fallback's per-client budget
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
          return sendProblem(
            reply,
            429,
            'rate_limited',
            'Too many requests with this token on this route; slow down.',
            {
              headers: { 'retry-after': String(taken.retryAfterSeconds) },
            },
          );
      }
      deps.metrics.verifications.inc({ result: 'active' });
      deps.usage.record(identity.tokenId);
      account = route.account ? accountOf(route, req, params) : null;
    }
    return forward(req, reply, route, pathname, search, identity, account, peer, peerTrusted);
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
    peer: string,
    peerTrusted: boolean,
  ): Promise<FastifyReply> {
    const { origin, path } = upstreamTarget(route, pathname, search);
    const started = process.hrtime.bigint();
    const hasBody =
      req.method !== 'GET' &&
      req.method !== 'HEAD' &&
      (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
    reply.hijack();
    // routed and authorized: only now may a client that waits for 100 Continue send its body
    if (hasBody && awaitingContinue.has(req.raw)) reply.raw.writeContinue();
    const outcome = await forwarder.forward(
      {
        origin,
        path,
        method: req.method,
        headers: upstreamHeaders(req.headers, {
          identity,
          account,
          forwardToken: route.forwardToken === true,
          peerAddress: peer,
          peerTrusted,
          protocol: req.protocol,
        }),
        body: hasBody ? req.raw : undefined,
        bodyLimit,
      },
      reply.raw,
      (res, problem) =>
        problem === 'body_too_large'
          ? writeProblem(res, 413, 'body_too_large', tooLargeDetail, { headers: { connection: 'close' } }) // the rest is never read
          : writeProblem(res, 502, 'upstream_unavailable', `The upstream of route ${route.name} did not answer.`),
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

import { compareRouteKeys, type RouteKey } from './openapi';

/** Routes flagged with this config member (the /docs pages) are left out of servedRoutes. */
export const INTERNAL_ROUTE = 'latchkeyInternal';

interface RouteOptionsLike {
  method: string | string[];
  url: string;
  config?: unknown;
}

/** What the recorder needs from a Fastify instance. */
export interface RouteHookHost {
  addHook(name: 'onRoute', hook: (route: RouteOptionsLike) => void): unknown;
}

const recorded = new WeakMap<object, RouteKey[]>();

/**
 * Starts recording the routes registered on a Fastify instance from now on (Nest registers its
 * controllers' routes in `app.init()`). `configureHttpApp` calls this; calling it twice is a no-op.
 */
export function recordServedRoutes(fastify: RouteHookHost): void {
  if (recorded.has(fastify)) return;
  const routes: RouteKey[] = [];
  recorded.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    const config = route.config as Record<string, unknown> | undefined;
    if (config?.[INTERNAL_ROUTE]) return;
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      // HEAD is added by Fastify beside every GET (exposeHeadRoutes); it is not a route of ours.
      if (method === 'HEAD') continue;
      routes.push({ method: method.toUpperCase(), path: route.url });
    }
  });
}

/**
 * The routes the app actually serves (Fastify style `/users/:id`, sorted, without HEAD and the
 * /docs pages), to compare with `documentedRoutes(document)`. Call after `app.init()`.
 */
export function servedRoutes(fastify: object): RouteKey[] {
  const routes = recorded.get(fastify);
  if (!routes)
    throw new Error(
      'servedRoutes: this Fastify instance was not set up by configureHttpApp/createHttpApp (no route recorder)',
    );
  const unique = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  return [...unique.values()].map((r) => ({ ...r })).sort(compareRouteKeys);
}

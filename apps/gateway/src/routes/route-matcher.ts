import { parsePathPattern, type PatternSegment } from './path-pattern';
import type { Route, RoutePolicy } from './route-policy.schema';

/**
 * Route matching.
 *
 * - `match(method, pathname)` takes the request path as received (still percent-encoded; a
 *   `?query` or `#fragment` is ignored). It is split on `/` and each segment is decoded exactly
 *   once, so `%2F` stays inside its segment and is never a separator.
 * - Rejected (null, whatever the routes): a path not starting with `/`, an empty segment (`//`),
 *   a `.` or `..` segment (also when encoded, `%2e%2e`), a segment that decodes to something
 *   containing `/`, `\` or NUL, or a malformed percent-encoding. The server answers 400/404.
 * - Routes are tried in file order; the first match wins.
 * - Literal segments compare exactly (case-sensitive); `:param` matches one non-empty segment
 *   and captures it decoded; a trailing `*` matches zero or more remaining segments and is
 *   captured (decoded, joined by `/`) as `params['*']`.
 * - Trailing slash: strict. `/health/` does not match `/health`; it can only match a pattern
 *   ending in `*` (`/orders/*` matches `/orders`, `/orders/` and `/orders/a/b`). `/` matches
 *   only the pattern `/` (or `/*`).
 * - Methods compare exactly (Node gives them upper-case). A route listing GET also answers HEAD.
 */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

export interface RouteMatcher {
  match(method: string, pathname: string): RouteMatch | null;
  readonly routes: readonly Route[];
}

interface CompiledRoute {
  readonly route: Route;
  readonly methods: ReadonlySet<string>;
  readonly segments: readonly PatternSegment[];
  readonly wildcard: boolean;
}

export function compileRoutes(policy: RoutePolicy): RouteMatcher {
  const compiled: CompiledRoute[] = policy.routes.map((route) => {
    const pattern = parsePathPattern(route.match.path);
    const methods = new Set<string>(route.match.methods);
    if (methods.has('GET')) methods.add('HEAD');
    return { route, methods, segments: pattern.segments, wildcard: pattern.wildcard };
  });

  // Candidates by first request segment, each list in file order: the routes whose first
  // pattern segment is that literal, plus every route whose first segment is not a literal.
  const anyFirst = compiled.filter((c) => c.segments[0]?.kind !== 'literal');
  const byFirst = new Map<string, CompiledRoute[]>();
  for (const c of compiled) {
    const first = c.segments[0];
    if (first?.kind === 'literal' && !byFirst.has(first.value)) {
      byFirst.set(
        first.value,
        compiled.filter(
          (x) =>
            x.segments[0]?.kind !== 'literal' ||
            (x.segments[0].kind === 'literal' && x.segments[0].value === first.value),
        ),
      );
    }
  }

  return {
    routes: policy.routes,
    match(method: string, pathname: string): RouteMatch | null {
      const segments = splitPath(pathname);
      if (!segments) return null;
      const candidates = (segments.length > 0 && byFirst.get(segments[0] as string)) || anyFirst;
      for (const c of candidates) {
        if (!c.methods.has(method)) continue;
        const params = matchSegments(c, segments);
        if (params) return { route: c.route, params };
      }
      return null;
    },
  };
}

/**
 * Decoded segments of a request path; a trailing slash gives a final empty segment.
 * null when the path is rejected (see the module comment).
 */
export function splitPath(pathname: string): string[] | null {
  let end = pathname.length;
  const q = pathname.indexOf('?');
  if (q >= 0) end = q;
  const h = pathname.indexOf('#');
  if (h >= 0 && h < end) end = h;
  const path = end === pathname.length ? pathname : pathname.slice(0, end);
  if (path.charCodeAt(0) !== 47 /* / */) return null;
  if (path.length === 1) return [];
  const raw = path.slice(1).split('/');
  const out: string[] = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const seg = raw[i] as string;
    if (seg === '') {
      if (i !== raw.length - 1) return null; // `//`
      out[i] = '';
      continue;
    }
    let decoded = seg;
    if (seg.includes('%')) {
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        return null;
      }
      if (decoded.includes('/') || decoded.includes('\\') || decoded.includes('\0')) return null;
    } else if (seg.includes('\\')) {
      return null;
    }
    if (decoded === '.' || decoded === '..') return null;
    out[i] = decoded;
  }
  return out;
}

function matchSegments(c: CompiledRoute, segments: readonly string[]): Record<string, string> | null {
  const n = c.segments.length;
  if (c.wildcard ? segments.length < n : segments.length !== n) return null;
  for (let i = 0; i < n; i++) {
    const p = c.segments[i] as PatternSegment;
    const s = segments[i] as string;
    if (p.kind === 'literal' ? p.value !== s : s === '') return null;
  }
  const params = Object.create(null) as Record<string, string>;
  for (let i = 0; i < n; i++) {
    const p = c.segments[i] as PatternSegment;
    if (p.kind === 'param') params[p.name] = segments[i] as string;
  }
  if (c.wildcard) params['*'] = segments.slice(n).join('/');
  return params;
}

const bases = new WeakMap<Route, { origin: string; basePath: string; strip: number }>();

/**
 * The upstream URL of a request: the route's upstream base, then the request path (as received,
 * still percent-encoded) without the `stripPrefix` segments, then `search` (`''` or `?a=b`;
 * a leading `?` is added when missing).
 * E.g. upstream `http://orders:8080/v1`, stripPrefix `/api`, `/api/orders/42`, `?x=1`
 * → `http://orders:8080/v1/orders/42?x=1`.
 */
export function upstreamUrl(route: Route, pathname: string, search: string): string {
  const target = upstreamTarget(route, pathname, search);
  return target.origin + target.path;
}

/** The same as {@link upstreamUrl}, split into the origin and the path with its query (what the forwarder takes). */
export function upstreamTarget(route: Route, pathname: string, search: string): { origin: string; path: string } {
  let base = bases.get(route);
  if (!base) {
    const url = new URL(route.upstream);
    base = {
      origin: url.origin,
      basePath: url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname,
      strip: route.stripPrefix ? route.stripPrefix.split('/').length - 1 : 0,
    };
    bases.set(route, base);
  }
  const q = pathname.search(/[?#]/);
  let path = q >= 0 ? pathname.slice(0, q) : pathname;
  if (base.strip > 0) {
    const rest = path.slice(1).split('/').slice(base.strip);
    path = rest.length > 0 ? '/' + rest.join('/') : '';
  }
  const fullPath = base.basePath + path || '/';
  const query = search === '' || search.startsWith('?') ? search : '?' + search;
  return { origin: base.origin, path: fullPath + query };
}

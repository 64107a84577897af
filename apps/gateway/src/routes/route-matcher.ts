import { parsePathPattern } from './path-pattern';
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
 * - The server refuses (400) every ambiguous request path before matching (request-path.ts);
 *   the checks here are a second line for direct callers.
 * - Routes are tried in file order; the first match wins.
 * - Literal segments compare exactly, or ignoring ASCII case when the route's
 *   `match.caseSensitive` is false (the default of protected routes; only A–Z/a–z fold, so a
 *   Unicode look-alike such as the Kelvin sign never equals `k`). `:param` matches one
 *   non-empty segment and captures it decoded, as received (case kept); a trailing `*` matches
 *   zero or more remaining segments and is captured (decoded, joined by `/`) as `params['*']`.
 * - Trailing slash: `match.trailingSlash` `strict` (the default of public routes): `/health/`
 *   does not match `/health`; `optional` (the default of protected routes): it does. Either way
 *   a pattern ending in `*` takes it (`/orders/*` matches `/orders`, `/orders/` and
 *   `/orders/a/b`), and `/` matches only the pattern `/` (or `/*`).
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

/** A pattern segment; a literal also in ASCII lower case (for routes that ignore case). */
type CompiledSegment =
  | { readonly kind: 'literal'; readonly value: string; readonly lower: string }
  | { readonly kind: 'param'; readonly name: string };

interface CompiledRoute {
  readonly route: Route;
  readonly methods: ReadonlySet<string>;
  readonly segments: readonly CompiledSegment[];
  readonly wildcard: boolean;
  readonly caseSensitive: boolean;
  readonly optionalSlash: boolean;
}

/** Lower-cases A–Z only (never a Unicode case mapping). */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

export function compileRoutes(policy: RoutePolicy): RouteMatcher {
  const compiled: CompiledRoute[] = policy.routes.map((route) => {
    const pattern = parsePathPattern(route.match.path);
    const methods = new Set<string>(route.match.methods);
    if (methods.has('GET')) methods.add('HEAD');
    return {
      route,
      methods,
      segments: pattern.segments.map((s) => (s.kind === 'literal' ? { ...s, lower: asciiLower(s.value) } : s)),
      wildcard: pattern.wildcard,
      caseSensitive: route.match.caseSensitive,
      optionalSlash: route.match.trailingSlash === 'optional',
    };
  });

  // Candidates by the first request segment in ASCII lower case, each list in file order: the
  // routes whose first pattern segment is that literal in some case (each route then compares
  // by its own case rule), plus every route whose first segment is not a literal.
  const firstLiteral = (c: CompiledRoute): string | undefined => {
    const first = c.segments[0];
    return first?.kind === 'literal' ? asciiLower(first.value) : undefined;
  };
  const anyFirst = compiled.filter((c) => firstLiteral(c) === undefined);
  const byFirst = new Map<string, CompiledRoute[]>();
  for (const c of compiled) {
    const key = firstLiteral(c);
    if (key !== undefined && !byFirst.has(key)) {
      byFirst.set(
        key,
        compiled.filter((x) => {
          const k = firstLiteral(x);
          return k === undefined || k === key;
        }),
      );
    }
  }

  return {
    routes: policy.routes,
    match(method: string, pathname: string): RouteMatch | null {
      const segments = splitPath(pathname);
      if (!segments) return null;
      const candidates = (segments.length > 0 && byFirst.get(asciiLower(segments[0] as string))) || anyFirst;
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
  let length = segments.length;
  // `optional`: one trailing slash (a final empty segment) is ignored; a wildcard takes it anyway
  if (c.optionalSlash && !c.wildcard && length > 0 && segments[length - 1] === '') length--;
  if (c.wildcard ? length < n : length !== n) return null;
  for (let i = 0; i < n; i++) {
    const p = c.segments[i] as CompiledSegment;
    const s = segments[i] as string;
    if (p.kind === 'literal') {
      if (p.value !== s && (c.caseSensitive || p.lower !== asciiLower(s))) return null;
    } else if (s === '') return null;
  }
  const params = Object.create(null) as Record<string, string>;
  for (let i = 0; i < n; i++) {
    const p = c.segments[i] as CompiledSegment;
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

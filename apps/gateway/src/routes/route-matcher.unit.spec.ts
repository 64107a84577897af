import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRoutePolicy } from './load-route-policy';
import { compileRoutes, splitPath, upstreamUrl, type RouteMatcher } from './route-matcher';

function matcherOf(routes: Array<Record<string, unknown>>): RouteMatcher {
  const withDefaults = routes.map((r, i) => ({ name: `r${i}`, upstream: 'http://up', ...r }));
  return compileRoutes(loadRoutePolicy(JSON.stringify({ routes: withDefaults }), 'routes.json'));
}

const nameOf = (m: RouteMatcher, method: string, path: string): string | null =>
  m.match(method, path)?.route.name ?? null;

describe('compileRoutes / match', () => {
  const m = matcherOf([
    { name: 'health', match: { path: '/health', methods: ['GET'] }, public: true },
    { name: 'root', match: { path: '/' } },
    { name: 'order', match: { path: '/orders/:accountId/items/:itemId' } },
    { name: 'orders-any', match: { path: '/orders/:accountId/*' } },
    { name: 'create-user', match: { path: '/users', methods: ['POST'] } },
    { name: 'users-read', match: { path: '/users', methods: ['GET'] } },
    { name: 'files', match: { path: '/files/*' } },
  ]);

  it('matches literal segments of a public route exactly (case-sensitive)', () => {
    expect(nameOf(m, 'GET', '/health')).toBe('health');
    expect(nameOf(m, 'GET', '/Health')).toBeNull();
    expect(nameOf(m, 'GET', '/health/x')).toBeNull();
    expect(nameOf(m, 'GET', '/')).toBe('root');
  });

  it('captures parameters, decoded once', () => {
    expect(m.match('GET', '/orders/acc_1/items/42')).toEqual({
      route: expect.objectContaining({ name: 'order' }),
      params: { accountId: 'acc_1', itemId: '42' },
    });
    expect(m.match('GET', '/orders/a%20b/items/%2541')?.params).toEqual({ accountId: 'a b', itemId: '%41' });
  });

  it('a parameter never matches an empty segment', () => {
    expect(nameOf(m, 'GET', '/orders//items/1')).toBeNull();
  });

  it('a wildcard matches zero or more remaining segments and captures them as *', () => {
    expect(m.match('GET', '/files')?.params).toEqual({ '*': '' });
    expect(m.match('GET', '/files/a')?.params).toEqual({ '*': 'a' });
    expect(m.match('GET', '/files/a/b/c.txt')?.params).toEqual({ '*': 'a/b/c.txt' });
    expect(m.match('GET', '/orders/acc_1')?.params).toEqual({ accountId: 'acc_1', '*': '' });
    expect(m.match('GET', '/orders/acc_1/items')?.route.name).toBe('orders-any');
  });

  it('filters on the method; a route without methods takes all of them', () => {
    expect(nameOf(m, 'POST', '/users')).toBe('create-user');
    expect(nameOf(m, 'GET', '/users')).toBe('users-read');
    expect(nameOf(m, 'DELETE', '/users')).toBeNull();
    expect(nameOf(m, 'POST', '/health')).toBeNull();
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
      expect(nameOf(m, method, '/files/x')).toBe('files');
    expect(nameOf(m, 'get', '/files/x')).toBeNull();
  });

  it('a GET route also answers HEAD', () => {
    expect(nameOf(m, 'HEAD', '/health')).toBe('health');
    expect(nameOf(m, 'HEAD', '/users')).toBe('users-read');
  });

  it('the first matching route in file order wins', () => {
    expect(nameOf(m, 'GET', '/orders/acc_1/items/42')).toBe('order');
    const reversed = matcherOf([
      { name: 'any', match: { path: '/orders/:accountId/*' } },
      { name: 'item', match: { path: '/orders/:accountId/items/:itemId' } },
    ]);
    expect(nameOf(reversed, 'GET', '/orders/acc_1/items/42')).toBe('any');
  });

  it('file order also holds between a literal route and a parameter route', () => {
    const paramFirst = matcherOf([
      { name: 'param', match: { path: '/:tenant/status' } },
      { name: 'literal', match: { path: '/orders/status' } },
    ]);
    expect(nameOf(paramFirst, 'GET', '/orders/status')).toBe('param');
    expect(nameOf(paramFirst, 'GET', '/x/status')).toBe('param');
    const catchAll = matcherOf([{ name: 'all', match: { path: '/*' } }]);
    expect(catchAll.match('GET', '/')?.params).toEqual({ '*': '' });
    expect(catchAll.match('GET', '/a/b')?.params).toEqual({ '*': 'a/b' });
  });

  it('returns null when nothing matches', () => {
    expect(m.match('GET', '/nothing/here')).toBeNull();
    expect(m.match('GET', '/orders')).toBeNull();
  });

  it('rejects . and .. segments, also encoded', () => {
    expect(m.match('GET', '/files/../health')).toBeNull();
    expect(m.match('GET', '/files/a/..')).toBeNull();
    expect(m.match('GET', '/files/./a')).toBeNull();
    expect(m.match('GET', '/files/%2e%2E/a')).toBeNull();
    expect(m.match('GET', '/files/..%2Fetc')).toBeNull();
    expect(m.match('GET', '/files/a..b')?.params).toEqual({ '*': 'a..b' });
  });

  it('rejects //, encoded slashes and backslashes, malformed encodings and relative paths', () => {
    expect(m.match('GET', '//health')).toBeNull();
    expect(m.match('GET', '/files//a')).toBeNull();
    expect(m.match('GET', '/files/a%2Fb')).toBeNull();
    expect(m.match('GET', '/files/a%5Cb')).toBeNull();
    expect(m.match('GET', '/files/a\\b')).toBeNull();
    expect(m.match('GET', '/files/%E0%A4%A')).toBeNull();
    expect(m.match('GET', 'health')).toBeNull();
    expect(m.match('GET', '')).toBeNull();
  });

  it('trailing slash: strict on a public route, optional on a protected one; a wildcard route takes it either way', () => {
    expect(m.match('GET', '/health/')).toBeNull();
    expect(nameOf(m, 'GET', '/users/')).toBe('users-read');
    expect(m.match('GET', '/orders/acc_1/items/42/')?.params).toEqual({ accountId: 'acc_1', itemId: '42' });
    expect(m.match('GET', '/files/')?.params).toEqual({ '*': '' });
    expect(m.match('GET', '/files/a/')?.params).toEqual({ '*': 'a/' });
  });

  it('trailingSlash as set on the route: strict refuses one, optional takes one (never two)', () => {
    const set = matcherOf([
      { name: 'strict', match: { path: '/a/:id', trailingSlash: 'strict' } },
      { name: 'optional', match: { path: '/b/:id', trailingSlash: 'optional' }, public: true },
      { name: 'root', match: { path: '/', trailingSlash: 'optional' } },
    ]);
    expect(nameOf(set, 'GET', '/a/1')).toBe('strict');
    expect(nameOf(set, 'GET', '/a/1/')).toBeNull();
    expect(nameOf(set, 'GET', '/a/')).toBeNull(); // the parameter never takes the empty segment
    expect(set.match('GET', '/b/1/')?.params).toEqual({ id: '1' });
    expect(nameOf(set, 'GET', '/b/1//')).toBeNull();
    expect(nameOf(set, 'GET', '/b/')).toBeNull();
    expect(nameOf(set, 'GET', '/')).toBe('root');
  });

  it('literal case: exact on a public route, ASCII case ignored on a protected one; parameters keep their case', () => {
    const cases = matcherOf([
      { name: 'docs', match: { path: '/Docs/:page' }, public: true },
      { name: 'admin', match: { path: '/admin/users/:userId' } },
      { name: 'exact', match: { path: '/Exact/x', caseSensitive: true } },
      { name: 'loose-public', match: { path: '/Status', caseSensitive: false }, public: true },
    ]);
    expect(nameOf(cases, 'GET', '/Docs/Intro')).toBe('docs');
    expect(nameOf(cases, 'GET', '/docs/Intro')).toBeNull();
    expect(cases.match('GET', '/ADMIN/Users/U-1')).toMatchObject({
      route: { name: 'admin' },
      params: { userId: 'U-1' },
    });
    expect(nameOf(cases, 'GET', '/Exact/x')).toBe('exact');
    expect(nameOf(cases, 'GET', '/exact/x')).toBeNull();
    expect(nameOf(cases, 'GET', '/sTaTuS')).toBe('loose-public');
    // only A–Z fold: the Kelvin sign (U+212A) is not "k", a dotted capital I (U+0130) is not "i"
    const unicode = matcherOf([{ name: 'kit', match: { path: '/kit' } }]);
    expect(nameOf(unicode, 'GET', '/KIT')).toBe('kit');
    expect(nameOf(unicode, 'GET', '/%E2%84%AAit')).toBeNull();
    expect(nameOf(unicode, 'GET', '/k%C4%B0t')).toBeNull();
  });

  it('a route ignoring case is found whatever the case of the first segment, in file order with the others', () => {
    const order = matcherOf([
      { name: 'param', match: { path: '/:tenant/Status' } },
      { name: 'loose', match: { path: '/Orders/status' } },
      { name: 'exact-later', match: { path: '/orders/list', caseSensitive: true } },
    ]);
    expect(nameOf(order, 'GET', '/ORDERS/STATUS')).toBe('param');
    expect(nameOf(order, 'GET', '/ORDERS/list')).toBeNull();
    expect(nameOf(order, 'GET', '/orders/list')).toBe('exact-later');
  });

  it('ignores a query string or fragment left on the path', () => {
    expect(nameOf(m, 'GET', '/health?x=/y')).toBe('health');
    expect(nameOf(m, 'GET', '/health#top')).toBe('health');
  });

  it('a parameter named like an Object.prototype key is captured as data', () => {
    const odd = matcherOf([{ match: { path: '/x/:__proto__/:constructor' } }]);
    const params = odd.match('GET', '/x/a/b')?.params;
    expect(params?.['__proto__']).toBe('a');
    expect(params?.['constructor']).toBe('b');
  });

  it('exposes the routes in file order', () => {
    expect(m.routes.map((r) => r.name)).toEqual([
      'health',
      'root',
      'order',
      'orders-any',
      'create-user',
      'users-read',
      'files',
    ]);
  });
});

describe('splitPath', () => {
  it('splits and decodes', () => {
    expect(splitPath('/')).toEqual([]);
    expect(splitPath('/a/b%20c/')).toEqual(['a', 'b c', '']);
    expect(splitPath('/a/../b')).toBeNull();
  });
});

describe('upstreamUrl', () => {
  const policy = loadRoutePolicy(
    JSON.stringify({
      routes: [
        { name: 'plain', match: { path: '/health' }, upstream: 'http://orders:8080' },
        { name: 'base', match: { path: '/orders/*' }, upstream: 'https://orders.internal/v1/' },
        { name: 'strip', match: { path: '/api/orders/:id/*' }, upstream: 'http://orders:8080/v1', stripPrefix: '/api' },
        {
          name: 'strip-all',
          match: { path: '/api/orders/*' },
          upstream: 'http://orders:8080',
          stripPrefix: '/api/orders',
        },
      ],
    }),
    'routes.json',
  );
  const [plain, base, strip, stripAll] = policy.routes as [never, never, never, never];

  it('appends the path to the upstream origin', () => {
    expect(upstreamUrl(plain, '/health', '')).toBe('http://orders:8080/health');
  });

  it('appends the path to the upstream base path (no doubled slash)', () => {
    expect(upstreamUrl(base, '/orders/1', '')).toBe('https://orders.internal/v1/orders/1');
  });

  it('removes stripPrefix and keeps the rest as received (still encoded)', () => {
    expect(upstreamUrl(strip, '/api/orders/42/lines', '')).toBe('http://orders:8080/v1/orders/42/lines');
    expect(upstreamUrl(strip, '/api/orders/a%2Fb%20c/x', '')).toBe('http://orders:8080/v1/orders/a%2Fb%20c/x');
  });

  it('given the whole path stripped, then the base path (or /) is used', () => {
    expect(upstreamUrl(stripAll, '/api/orders', '')).toBe('http://orders:8080/');
    expect(upstreamUrl(stripAll, '/api/orders/', '')).toBe('http://orders:8080/');
    expect(upstreamUrl(stripAll, '/api/orders/7', '')).toBe('http://orders:8080/7');
  });

  it('appends the query string, with or without its leading ?', () => {
    expect(upstreamUrl(strip, '/api/orders/42', '?expand=lines&x=%20')).toBe(
      'http://orders:8080/v1/orders/42?expand=lines&x=%20',
    );
    expect(upstreamUrl(strip, '/api/orders/42', 'a=1')).toBe('http://orders:8080/v1/orders/42?a=1');
    expect(upstreamUrl(plain, '/health?ignored=1', '?q=1')).toBe('http://orders:8080/health?q=1');
  });

  it('works with the example policy', () => {
    const example = loadRoutePolicy(
      readFileSync(join(__dirname, 'example.routes.yaml'), 'utf8'),
      'example.routes.yaml',
    );
    const matcher = compileRoutes(example);
    const hit = matcher.match('GET', '/api/accounts/acc_1/orders/42');
    expect(hit?.route.name).toBe('order-status');
    expect(hit?.params).toEqual({ accountId: 'acc_1', '*': '42' });
    expect(upstreamUrl(hit!.route, '/api/accounts/acc_1/orders/42', '?v=2')).toBe(
      'http://orders:8080/v1/accounts/acc_1/orders/42?v=2',
    );
    expect(matcher.match('POST', '/api/accounts/acc_1/orders/42')).toBeNull();
    expect(matcher.match('HEAD', '/health')?.route.public).toBe(true);
    expect(matcher.match('DELETE', '/admin/users/u1')?.route.account).toEqual({ header: 'X-Account-Id' });
  });
});

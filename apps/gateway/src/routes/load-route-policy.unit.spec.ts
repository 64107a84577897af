import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRoutePolicy, loadRoutePolicyFile, RoutePolicyError } from './load-route-policy';
import { HTTP_METHODS, SUBJECT_KINDS } from './route-policy.schema';

const EXAMPLE = join(__dirname, 'example.routes.yaml');

function route(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'orders', match: { path: '/orders/:accountId/*' }, upstream: 'http://orders:8080', ...overrides };
}

function errorOf(fn: () => unknown): RoutePolicyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RoutePolicyError) return err;
    throw err;
  }
  throw new Error('expected a RoutePolicyError');
}

const loadJson = (policy: unknown) => loadRoutePolicy(JSON.stringify(policy), 'routes.json');

describe('loadRoutePolicy: valid files', () => {
  it('given the example YAML, then every route is loaded in file order with defaults applied', () => {
    const policy = loadRoutePolicyFile(EXAMPLE);
    expect(policy.routes.map((r) => r.name)).toEqual([
      'orders-health',
      'order-status',
      'admin-users',
      'legacy-reports',
    ]);
    const [health, status, admin, reports] = policy.routes;
    expect(health).toEqual({
      name: 'orders-health',
      match: { path: '/health', methods: ['GET'], caseSensitive: true, trailingSlash: 'strict' },
      upstream: 'http://orders:8080',
      stripPrefix: undefined,
      public: true,
      scopes: [],
      account: undefined,
      subjectKinds: [...SUBJECT_KINDS],
      forwardToken: false,
      rateLimit: undefined,
    });
    expect(status).toMatchObject({
      match: { caseSensitive: false, trailingSlash: 'optional' },
      public: false,
      stripPrefix: '/api',
      account: { param: 'accountId' },
      subjectKinds: ['contact', 'human'],
      scopes: ['orders:read'],
      forwardToken: false,
    });
    expect(admin).toMatchObject({ account: { header: 'X-Account-Id' }, scopes: ['users:update'] });
    expect(reports).toMatchObject({
      forwardToken: true,
      rateLimit: { perTokenPerSecond: 5, burst: 10 },
      match: { methods: [...HTTP_METHODS] },
    });
  });

  it('given the same policy as JSON, then it loads to the same result', () => {
    const policy = {
      routes: [
        { name: 'health', match: { path: '/health', methods: ['GET'] }, upstream: 'http://orders:8080', public: true },
        route({
          account: { param: 'accountId' },
          subjectKinds: ['contact', 'human'],
          scopes: ['orders:read', 'orders:*'],
          rateLimit: { perTokenPerSecond: 2.5 },
        }),
      ],
    };
    const fromJson = loadJson(policy);
    const yaml = `routes:
  - name: health
    match: { path: /health, methods: [GET] }
    upstream: http://orders:8080
    public: true
  - name: orders
    match:
      path: /orders/:accountId/*
    upstream: http://orders:8080
    account: { param: accountId }
    subjectKinds: [contact, human]
    scopes: ["orders:read", "orders:*"]
    rateLimit: { perTokenPerSecond: 2.5 }
`;
    expect(loadRoutePolicy(yaml, 'routes.yml')).toEqual(fromJson);
    expect(fromJson.routes[1]?.rateLimit).toEqual({ perTokenPerSecond: 2.5, burst: 3 });
  });

  it('the loaded policy is frozen', () => {
    const policy = loadJson({ routes: [route()] });
    expect(Object.isFrozen(policy.routes)).toBe(true);
    expect(Object.isFrozen(policy.routes[0])).toBe(true);
  });

  it('given no caseSensitive / trailingSlash, then a protected route ignores case and one trailing slash, a public one does neither', () => {
    const policy = loadJson({
      routes: [
        route({ name: 'protected' }),
        route({ name: 'public', match: { path: '/status' }, public: true }),
        route({ name: 'set', match: { path: '/set', caseSensitive: true, trailingSlash: 'strict' } }),
        route({
          name: 'set-public',
          match: { path: '/p', caseSensitive: false, trailingSlash: 'optional' },
          public: true,
        }),
      ],
    });
    expect(policy.routes.map((r) => [r.name, r.match.caseSensitive, r.match.trailingSlash])).toEqual([
      ['protected', false, 'optional'],
      ['public', true, 'strict'],
      ['set', true, 'strict'],
      ['set-public', false, 'optional'],
    ]);
  });

  it('given two routes whose patterns differ only in case, then both load when the first compares case exactly', () => {
    const policy = loadJson({
      routes: [
        route({ name: 'exact', match: { path: '/Status', caseSensitive: true } }),
        route({ name: 'loose', match: { path: '/status' } }),
      ],
    });
    expect(policy.routes.map((r) => r.name)).toEqual(['exact', 'loose']);
  });

  it('the extension decides the parser, case-insensitively', () => {
    expect(loadRoutePolicy(JSON.stringify({ routes: [route()] }), 'ROUTES.JSON').routes).toHaveLength(1);
    expect(loadRoutePolicy(readFileSync(EXAMPLE, 'utf8'), 'Policy.YAML').routes).toHaveLength(4);
  });
});

describe('loadRoutePolicy: invalid files', () => {
  const cases: Array<[string, unknown, string, string]> = [
    ['routes missing', {}, 'routes', 'is required'],
    ['routes empty', { routes: [] }, 'routes', 'must list at least 1 item'],
    ['unknown top-level key', { routes: [route()], extra: true }, 'extra', 'is not a known property'],
    ['bad name', { routes: [route({ name: 'Order Status' })] }, 'routes[0].name', 'snake_case or kebab-case'],
    [
      'duplicate name',
      { routes: [route(), route({ match: { path: '/other' } })] },
      'routes[1].name',
      '"orders" is already the name of routes[0]',
    ],
    [
      'path without leading slash',
      { routes: [route({ match: { path: 'orders' } })] },
      'routes[0].match.path',
      'must be a path pattern starting with "/"',
    ],
    [
      'wildcard not last',
      { routes: [route({ match: { path: '/orders/*/x' } })] },
      'routes[0].match.path',
      'must be a path pattern',
    ],
    [
      'trailing slash in path',
      { routes: [route({ match: { path: '/orders/' } })] },
      'routes[0].match.path',
      'must be a path pattern',
    ],
    [
      'dot-dot literal',
      { routes: [route({ match: { path: '/a/../b' } })] },
      'routes[0].match.path',
      '"." and ".." segments are not allowed',
    ],
    [
      'parameter twice',
      { routes: [route({ match: { path: '/a/:id/b/:id' } })] },
      'routes[0].match.path',
      'parameter :id appears twice',
    ],
    [
      'unknown method',
      { routes: [route({ match: { path: '/a', methods: ['GET', 'FETCH'] } })] },
      'routes[0].match.methods[1]',
      'must be one of GET, HEAD, POST',
    ],
    [
      'repeated method',
      { routes: [route({ match: { path: '/a', methods: ['GET', 'GET'] } })] },
      'routes[0].match.methods',
      'must not repeat "GET"',
    ],
    [
      'empty methods',
      { routes: [route({ match: { path: '/a', methods: [] } })] },
      'routes[0].match.methods',
      'must list at least 1 item',
    ],
    [
      'upstream not http',
      { routes: [route({ upstream: 'ftp://orders' })] },
      'routes[0].upstream',
      'must be an absolute http(s) URL',
    ],
    [
      'upstream relative',
      { routes: [route({ upstream: '/orders' })] },
      'routes[0].upstream',
      'must be an absolute http(s) URL',
    ],
    [
      'upstream with query',
      { routes: [route({ upstream: 'http://orders/?x=1' })] },
      'routes[0].upstream',
      'must not contain a query or fragment',
    ],
    [
      'upstream with credentials',
      { routes: [route({ upstream: 'http://u:p@orders' })] },
      'routes[0].upstream',
      'must not contain credentials',
    ],
    ['upstream missing', { routes: [{ name: 'a', match: { path: '/a' } }] }, 'routes[0].upstream', 'is required'],
    [
      'bad scope',
      { routes: [route({ scopes: ['orders:list'] })] },
      'routes[0].scopes[0]',
      'must be a scope <resource>:<action>',
    ],
    ['scopes not a list', { routes: [route({ scopes: 'orders:read' })] }, 'routes[0].scopes', 'must be a list'],
    [
      'account param not in path',
      { routes: [route({ account: { param: 'acct' } })] },
      'routes[0].account.param',
      '"acct" is not a parameter of /orders/:accountId/*',
    ],
    [
      'account with both sources',
      { routes: [route({ account: { header: 'X-A', param: 'accountId' } })] },
      'routes[0].account',
      'must be { header: <header name> } or { param: <path parameter> }',
    ],
    [
      'account bad header name',
      { routes: [route({ account: { header: 'X Account' } })] },
      'routes[0].account.header',
      'must be an HTTP header name',
    ],
    [
      'account from Authorization',
      { routes: [route({ account: { header: 'Authorization' } })] },
      'routes[0].account.header',
      'cannot come from the Authorization header',
    ],
    [
      'account not an object',
      { routes: [route({ account: 'X-Account-Id' })] },
      'routes[0].account',
      'must be { header: <header name> } or { param: <path parameter> }',
    ],
    [
      'unknown subject kind',
      { routes: [route({ subjectKinds: ['robot'] })] },
      'routes[0].subjectKinds[0]',
      'must be one of human, api, contact, client',
    ],
    [
      'empty subject kinds',
      { routes: [route({ subjectKinds: [] })] },
      'routes[0].subjectKinds',
      'must list at least 1 item',
    ],
    [
      'stripPrefix not a prefix',
      { routes: [route({ stripPrefix: '/api' })] },
      'routes[0].stripPrefix',
      '"/api" is not a prefix of the literal start of /orders/:accountId/* (/orders)',
    ],
    [
      'stripPrefix past the literals',
      { routes: [route({ stripPrefix: '/orders/x' })] },
      'routes[0].stripPrefix',
      'is not a prefix',
    ],
    [
      'stripPrefix with trailing slash',
      { routes: [route({ stripPrefix: '/orders/' })] },
      'routes[0].stripPrefix',
      'must be a path of literal segments',
    ],
    [
      'public with scopes',
      { routes: [route({ public: true, scopes: ['orders:read'] })] },
      'routes[0].scopes',
      'is not allowed on a public route',
    ],
    [
      'public with account',
      { routes: [route({ public: true, account: { param: 'accountId' } })] },
      'routes[0].account',
      'is not allowed on a public route',
    ],
    [
      'public with subjectKinds',
      { routes: [route({ public: true, subjectKinds: ['human'] })] },
      'routes[0].subjectKinds',
      'is not allowed on a public route',
    ],
    [
      'public with forwardToken',
      { routes: [route({ public: true, forwardToken: false })] },
      'routes[0].forwardToken',
      'is not allowed on a public route',
    ],
    [
      'public with rateLimit',
      { routes: [route({ public: true, rateLimit: { perTokenPerSecond: 1 } })] },
      'routes[0].rateLimit',
      'is not allowed on a public route',
    ],
    ['public not a boolean', { routes: [route({ public: 'yes' })] }, 'routes[0].public', 'must be true or false'],
    [
      'rate zero',
      { routes: [route({ rateLimit: { perTokenPerSecond: 0 } })] },
      'routes[0].rateLimit.perTokenPerSecond',
      'must be > 0',
    ],
    [
      'burst not an integer',
      { routes: [route({ rateLimit: { perTokenPerSecond: 1, burst: 1.5 } })] },
      'routes[0].rateLimit.burst',
      'must be an integer',
    ],
    [
      'misspelt route key',
      { routes: [route({ strip_prefix: '/orders' })] },
      'routes[0].strip_prefix',
      'is not a known property (expected one of: name, match, upstream, stripPrefix',
    ],
    [
      'same method and pattern twice',
      {
        routes: [
          route({ name: 'a' }),
          route({ name: 'b', match: { path: '/orders/:other/*', methods: ['GET', 'POST'] } }),
        ],
      },
      'routes[1].match',
      'GET, HEAD, POST /orders/:other/* is already matched by routes[0]',
    ],
    [
      'HEAD route after a GET route',
      {
        routes: [
          route({ name: 'a', match: { path: '/a', methods: ['GET'] } }),
          route({ name: 'b', match: { path: '/a', methods: ['HEAD'] } }),
        ],
      },
      'routes[1].match',
      'HEAD /a is already matched by routes[0]',
    ],
    [
      'caseSensitive not a boolean',
      { routes: [route({ match: { path: '/a', caseSensitive: 'no' } })] },
      'routes[0].match.caseSensitive',
      'must be true or false',
    ],
    [
      'unknown trailingSlash rule',
      { routes: [route({ match: { path: '/a', trailingSlash: 'ignore' } })] },
      'routes[0].match.trailingSlash',
      'must be one of strict, optional',
    ],
    [
      'a route after one that ignores case with the same pattern in other letters',
      {
        routes: [
          route({ name: 'a', match: { path: '/Orders/:id' } }),
          route({ name: 'b', match: { path: '/orders/:other', methods: ['DELETE'] }, public: true }),
        ],
      },
      'routes[1].match',
      'DELETE /orders/:other is already matched by routes[0] (same method and pattern, which ignores case: caseSensitive false)',
    ],
    [
      'a case-sensitive twin after a route that ignores case (set explicitly on a public one)',
      {
        routes: [
          route({ name: 'a', match: { path: '/Status', caseSensitive: false }, public: true }),
          route({ name: 'b', match: { path: '/status', caseSensitive: true } }),
        ],
      },
      'routes[1].match',
      'is already matched by routes[0] (same method and pattern, which ignores case',
    ],
  ];

  it.each(cases)('given %s, then the error names the location', (_title, policy, path, message) => {
    const err = errorOf(() => loadJson(policy));
    const issue = err.issues.find((i) => i.path === path);
    expect(issue?.message ?? `(no issue at ${path}; got: ${err.message})`).toContain(message);
    expect(err.message).toContain(`  - ${path}: `);
    expect(err.message).toMatch(/^Route policy routes\.json is invalid \(\d+ problems?\):\n/);
  });

  it('given several problems, then one error lists every one of them, grouped by route', () => {
    const err = errorOf(() =>
      loadJson({
        routes: [
          route({ account: { param: 'acct' } }),
          route({ name: 'b', match: { path: '/b' }, upstream: 'mailto:x' }),
          route({ name: 'orders', match: { path: '/c' }, public: true, forwardToken: true }),
        ],
      }),
    );
    expect(err.issues).toEqual([
      { path: 'routes[0].account.param', message: '"acct" is not a parameter of /orders/:accountId/*' },
      { path: 'routes[1].upstream', message: 'must be an absolute http(s) URL (got "mailto:x")' },
      { path: 'routes[2].name', message: '"orders" is already the name of routes[0]' },
      {
        path: 'routes[2].forwardToken',
        message: 'is not allowed on a public route (a public route verifies no token)',
      },
    ]);
    expect(err.message.split('\n')).toHaveLength(5);
    expect(err.name).toBe('RoutePolicyError');
    expect(err.fileName).toBe('routes.json');
  });

  it('given the account param on a route whose path is itself invalid, then only the path is reported', () => {
    const err = errorOf(() =>
      loadJson({ routes: [route({ match: { path: 'orders/:accountId' }, account: { param: 'accountId' } })] }),
    );
    expect(err.issues.map((i) => i.path)).toEqual(['routes[0].match.path']);
  });

  it('given a route that is not an object, then its type is reported', () => {
    const err = errorOf(() => loadJson({ routes: ['/orders'] }));
    expect(err.issues).toEqual([{ path: 'routes[0]', message: 'must be a mapping (object)' }]);
  });

  it('given an empty YAML file, then the root is reported', () => {
    const err = errorOf(() => loadRoutePolicy('', 'routes.yaml'));
    expect(err.issues).toEqual([{ path: '(root)', message: 'must be a mapping (object)' }]);
  });

  it('given broken YAML, then the line is named', () => {
    const err = errorOf(() => loadRoutePolicy('routes:\n  - name: a\n   match: [\n', 'routes.yaml'));
    expect(err.issues[0]?.path).toBe('(file)');
    expect(err.issues[0]?.message).toMatch(/^is not valid YAML: line \d+, column \d+: /);
  });

  it('given a YAML mapping with a duplicate key, then it is an error (not last-one-wins)', () => {
    const err = errorOf(() => loadRoutePolicy('routes:\n  - name: a\n    name: b\n', 'routes.yaml'));
    expect(err.message).toContain('is not valid YAML');
  });

  it('given broken JSON, then the parse error is reported', () => {
    const err = errorOf(() => loadRoutePolicy('{"routes": [', 'routes.json'));
    expect(err.issues[0]?.message).toMatch(/^is not valid JSON: /);
  });

  it('given an unsupported extension, then it says which ones are supported', () => {
    const err = errorOf(() => loadRoutePolicy('{}', 'routes.toml'));
    expect(err.issues).toEqual([
      { path: '(file)', message: 'has an unsupported extension ".toml": use .yaml, .yml or .json' },
    ]);
  });
});

describe('loadRoutePolicyFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'routes-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and loads a file', () => {
    const file = join(dir, 'routes.json');
    writeFileSync(file, JSON.stringify({ routes: [route()] }));
    expect(loadRoutePolicyFile(file).routes[0]?.name).toBe('orders');
  });

  it('given a missing file, then a RoutePolicyError says it cannot be read', () => {
    const err = errorOf(() => loadRoutePolicyFile(join(dir, 'missing.yaml')));
    expect(err.issues[0]?.message).toMatch(/^cannot be read: ENOENT/);
  });
});

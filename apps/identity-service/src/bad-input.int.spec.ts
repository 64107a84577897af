import { IdentityHarness } from './testing/identity-harness';

type Case = {
  label: string;
  method?: 'POST' | 'PUT' | 'GET' | 'DELETE';
  url?: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  status?: number;
};

/**
 * Malformed requests against the real service: each answers 4xx problem+json (never 5xx) and
 * writes nothing (the event store, outbox and read models are unchanged).
 */
describe('identity-service bad input (real PostgreSQL + Kafka)', () => {
  const h = new IdentityHarness();
  let token: string;
  let accountId: string;
  let userId: string;

  beforeAll(async () => {
    await h.startService();
    const admin = await h.admin();
    token = admin.token;
    accountId = admin.accountId;
    userId = admin.userId;
  }, 120_000);
  afterAll(() => h.stopService());

  const users = () => `/v1/accounts/${accountId}/users`;
  const valid = { kind: 'human', email: 'new@example.com', displayName: 'New', roles: ['member'] };

  const cases: Case[] = [
    { label: 'missing kind', body: { email: 'a@example.com', displayName: 'A', roles: ['member'] } },
    { label: 'missing displayName', body: { kind: 'human', email: 'a@example.com', roles: ['member'] } },
    { label: 'missing roles', body: { kind: 'human', email: 'a@example.com', displayName: 'A' } },
    { label: 'empty roles', body: { ...valid, roles: [] } },
    { label: 'unknown field', body: { ...valid, isAdmin: true } },
    { label: 'unknown kind', body: { ...valid, kind: 'robot' } },
    { label: 'kind as number', body: { ...valid, kind: 1 } },
    { label: 'roles as string', body: { ...valid, roles: 'member' } },
    { label: 'role as object', body: { ...valid, roles: [{ name: 'member' }] } },
    { label: 'duplicate roles', body: { ...valid, roles: ['member', 'member'] } },
    { label: 'displayName as array', body: { ...valid, displayName: ['A'] } },
    { label: 'displayName empty', body: { ...valid, displayName: '' } },
    { label: 'displayName 10,000 characters', body: { ...valid, displayName: 'x'.repeat(10_000) } },
    { label: 'displayName with control characters', body: { ...valid, displayName: 'A\u0000B' } },
    {
      label: 'displayName with a right-to-left override',
      body: { ...valid, displayName: 'invoice-\u202egnp.exe' },
      status: 422,
    },
    { label: 'displayName with a zero-width space', body: { ...valid, displayName: 'Ad\u200ba' }, status: 422 },
    { label: 'displayName of a Hangul filler', body: { ...valid, displayName: '\u3164' }, status: 422 },
    { label: 'displayName with a private-use character', body: { ...valid, displayName: 'A\ue000' }, status: 422 },
    { label: 'email without @', body: { ...valid, email: 'not-an-email' } },
    { label: 'email with spaces', body: { ...valid, email: 'a b@example.com' } },
    { label: 'email 400 characters', body: { ...valid, email: `${'a'.repeat(390)}@example.com` } },
    { label: 'email SQL injection', body: { ...valid, email: "x@example.com'; DROP TABLE users; --" } },
    {
      label: 'displayName SQL injection',
      body: { ...valid, email: 'sql@example.com', roles: ["member'); DELETE FROM events; --"] },
    },
    { label: 'JSON injection in role', body: { ...valid, roles: ['{"$gt":""}'] } },
    {
      label: 'prototype pollution',
      raw: JSON.stringify({ ...valid, __proto__: { admin: true } }).replace('}', ',"__proto__":{"admin":true}}'),
    },
    { label: 'constructor key', body: { ...valid, constructor: { prototype: { x: 1 } } } },
    { label: 'unknown role', body: { ...valid, roles: ['superuser'] }, status: 422 },
    {
      label: 'contact given a forbidden role',
      body: { ...valid, kind: 'contact', roles: ['account_admin'] },
      status: 422,
    },
    { label: 'human without email', body: { kind: 'human', displayName: 'A', roles: ['member'] }, status: 422 },
    {
      label: 'api user with a password',
      body: { kind: 'api', displayName: 'Bot', roles: ['api_user'], password: 'a long enough password' },
      status: 422,
    },
    { label: 'password too short', body: { ...valid, email: 'short@example.com', password: 'short' }, status: 422 },
    { label: 'password 2,000 characters', body: { ...valid, email: 'long@example.com', password: 'p'.repeat(2000) } },
    { label: 'malformed JSON', raw: '{"kind": "human",' },
    { label: 'JSON array body', raw: JSON.stringify([valid]) },
    { label: 'JSON string body', raw: '"hello"' },
    { label: 'JSON null body', raw: 'null' },
    { label: 'empty body', raw: '' },
    {
      label: 'oversized body (100 KB)',
      raw: JSON.stringify({ ...valid, displayName: 'x'.repeat(100 * 1024) }),
      status: 413,
    },
    { label: 'text/plain body', raw: 'kind=human', contentType: 'text/plain', status: 415 },
    {
      label: 'form body',
      raw: 'kind=human&displayName=A',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
    },
    { label: 'account id not a uuid', url: '/v1/accounts/not-a-uuid/users', body: valid },
    { label: 'roles: unknown field', method: 'PUT', url: `__user__/roles`, body: { roles: ['member'], extra: 1 } },
    { label: 'roles: not a list', method: 'PUT', url: `__user__/roles`, body: { roles: 'member' } },
    { label: 'deactivate: reason missing', method: 'POST', url: `__user__/deactivate`, body: {} },
    { label: 'deactivate: reason a number', method: 'POST', url: `__user__/deactivate`, body: { reason: 42 } },
    {
      label: 'deactivate: reason with a bidi isolate',
      method: 'POST',
      url: `__user__/deactivate`,
      body: { reason: 'left \u2067the company' },
      status: 422,
    },
    { label: 'user id not a uuid', method: 'GET', url: '__users__/123' },
    { label: 'limit 0', method: 'GET', url: '__users__?limit=0' },
    { label: 'limit 10,000', method: 'GET', url: '__users__?limit=10000' },
    { label: 'limit not a number', method: 'GET', url: '__users__?limit=ten' },
    { label: 'garbage cursor', method: 'GET', url: '__users__?cursor=%27%3B%20DROP' },
    {
      label: 'forged cursor with bad values',
      method: 'GET',
      url: `__users__?cursor=${Buffer.from(JSON.stringify(["x'; --", 'y'])).toString('base64url')}`,
    },
    { label: 'unknown query parameter', method: 'GET', url: '__users__?admin=true' },
    { label: 'account name missing', url: '__account__/accounts', body: {} },
    { label: 'account name 10,000 characters', url: '__account__/accounts', body: { name: 'n'.repeat(10_000) } },
    {
      label: 'account name with a soft hyphen',
      url: '__account__/accounts',
      body: { name: 'Pay\u00adments' },
      status: 422,
    },
    {
      label: 'change own password: fields missing',
      method: 'PUT',
      url: '/v1/me/password',
      body: { newPassword: 'a long enough password' },
    },
  ];

  const counts = async () =>
    (
      await h.ctx.runtime.dataSource.query(
        'SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM memberships) AS m, (SELECT count(*) FROM accounts) AS a, (SELECT count(*) FROM credentials) AS c',
      )
    )[0];

  it(`has at least 30 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('$label → 4xx problem+json, nothing written', async (c) => {
    const url = (c.url ?? users())
      .replace('__user__', `${users()}/${userId}`)
      .replace('__users__', users())
      .replace('__account__', `/v1/accounts/${accountId}`);
    const before = await counts();
    const method = c.method ?? 'POST';
    const hasBody = c.raw !== undefined || c.body !== undefined;
    const res = await h.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(hasBody ? { 'content-type': c.contentType ?? 'application/json' } : {}),
      },
      ...(hasBody ? { payload: c.raw ?? JSON.stringify(c.body) } : {}),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    if (c.status !== undefined) expect(res.statusCode).toBe(c.status);
    const bearerError = res.headers['www-authenticate'] !== undefined;
    expect(res.headers['content-type']).toMatch(bearerError ? /^application\/json/ : /^application\/problem\+json/);
    const body = res.json();
    if (!bearerError)
      expect(body).toMatchObject({
        type: expect.stringContaining('/problems/'),
        status: res.statusCode,
        code: expect.any(String),
      });
    expect(res.body).not.toContain('a long enough password');
    expect(await counts()).toEqual(before);
  });
});

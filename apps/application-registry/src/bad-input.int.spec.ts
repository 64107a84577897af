import { randomUUID } from 'node:crypto';
import { RegistryHarness } from './testing/registry-harness';

type Case = {
  label: string;
  method?: 'POST' | 'PATCH' | 'GET' | 'DELETE';
  url?: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  status?: number;
  code?: string;
};

/** Malformed requests against the real service: 4xx problem+json (never 5xx) and nothing written. */
describe('application-registry bad input (real PostgreSQL + Kafka)', () => {
  const h = new RegistryHarness();
  const account = randomUUID();
  let token: string;
  let clientId: string;
  const valid = {
    name: 'App',
    clientType: 'confidential',
    redirectUris: ['https://app.example.com/cb'],
    grantTypes: ['authorization_code'],
    allowedScopes: ['orders:read'],
  };
  const uri = (redirectUri: string, code = 'redirect_uri_invalid'): Case => ({
    label: `redirect URI ${redirectUri.slice(0, 60)}`,
    body: { ...valid, redirectUris: [redirectUri] },
    status: 422,
    code,
  });

  beforeAll(async () => {
    await h.startService();
    token = (
      await h.adminIn(
        account,
        ['applications:create', 'applications:read', 'applications:update', 'applications:delete', 'orders:read'],
        ['applications:*', 'orders:read'],
      )
    ).token;
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/applications',
      headers: { authorization: `Bearer ${token}`, 'x-account-id': account },
      payload: valid,
    });
    clientId = res.json().clientId;
    await h.waitForOwnEvents();
  }, 120_000);
  afterAll(() => h.stopService());

  const cases: Case[] = [
    uri('https://app.example.com/cb#fragment'),
    uri('https://app.example.com/cb#'),
    uri('javascript:alert(1)'),
    uri('data:text/html,<script>alert(1)</script>'),
    uri('file:///etc/passwd'),
    uri('https://*.example.com/cb'),
    uri('https://app.example.com/*'),
    uri('http://app.example.com/cb'),
    uri('http://192.168.1.10/cb'),
    uri('https://user:pass@app.example.com/cb'),
    uri('/relative/cb'),
    uri('app.example.com/cb'),
    uri('HTTPS://APP.example.com/cb'),
    uri('https://app.example.com:443/cb'),
    uri('https://app.example.com/c b'),
    {
      label: 'redirect URI over 2,000 characters',
      body: { ...valid, redirectUris: [`https://app.example.com/${'a'.repeat(1990)}`] },
    },
    {
      label: 'duplicate redirect URIs',
      body: { ...valid, redirectUris: ['https://a.example.com/cb', 'https://a.example.com/cb'] },
      status: 422,
      code: 'redirect_uri_duplicate',
    },
    {
      label: 'authorization_code without redirect URIs',
      body: { ...valid, redirectUris: [] },
      status: 422,
      code: 'redirect_uri_required',
    },
    {
      label: 'refresh_token without authorization_code',
      body: { ...valid, grantTypes: ['refresh_token'] },
      status: 422,
      code: 'grant_types_inconsistent',
    },
    {
      label: 'client_credentials on a public client',
      body: { ...valid, clientType: 'public', grantTypes: ['client_credentials'] },
      status: 422,
      code: 'grant_type_not_allowed',
    },
    {
      label: 'scope beyond the admin',
      body: { ...valid, allowedScopes: ['orders:delete'] },
      status: 403,
      code: 'scope_not_held',
    },
    {
      label: 'account the admin is not in',
      body: { ...valid, accountIds: [account, randomUUID()] },
      status: 403,
      code: 'account_not_held',
    },
    {
      label: 'first-party by a non-administrator',
      body: { ...valid, firstParty: true },
      status: 403,
      code: 'first_party_not_allowed',
    },
    {
      label: 'access token lifetime too long',
      body: { ...valid, accessTokenTtlSeconds: 86_401 },
      status: 422,
      code: 'ttl_out_of_bounds',
    },
    {
      label: 'refresh lifetime below access lifetime',
      body: { ...valid, accessTokenTtlSeconds: 7200, refreshTokenTtlSeconds: 3600 },
      status: 422,
      code: 'ttl_out_of_bounds',
    },
    { label: 'name 10,000 characters', body: { ...valid, name: 'n'.repeat(10_000) } },
    { label: 'name empty', body: { ...valid, name: '' } },
    { label: 'name with control characters', body: { ...valid, name: 'A\u0007B' } },
    { label: 'description 10,000 characters', body: { ...valid, description: 'd'.repeat(10_000) } },
    { label: 'unknown field', body: { ...valid, clientSecret: 'mine' } },
    {
      label: 'missing clientType',
      body: { name: 'A', redirectUris: [], grantTypes: ['client_credentials'], allowedScopes: [] },
    },
    { label: 'unknown client type', body: { ...valid, clientType: 'trusted' } },
    { label: 'unknown grant type', body: { ...valid, grantTypes: ['password'] } },
    { label: 'implicit grant', body: { ...valid, grantTypes: ['implicit'] } },
    { label: 'no grant types', body: { ...valid, grantTypes: [] } },
    { label: 'scope with bad grammar', body: { ...valid, allowedScopes: ['orders'] } },
    { label: 'scope SQL injection', body: { ...valid, allowedScopes: ["orders:read'; DROP TABLE applications; --"] } },
    { label: 'redirect URIs as a string', body: { ...valid, redirectUris: 'https://app.example.com/cb' } },
    {
      label: '101 redirect URIs',
      body: { ...valid, redirectUris: Array.from({ length: 101 }, (_, i) => `https://app.example.com/cb${i}`) },
    },
    { label: 'lifetime as string', body: { ...valid, accessTokenTtlSeconds: '3600' } },
    { label: 'lifetime negative', body: { ...valid, accessTokenTtlSeconds: -1 } },
    { label: 'firstParty as string', body: { ...valid, firstParty: 'yes' } },
    { label: 'account id not a uuid', body: { ...valid, accountIds: ['acct-1'] } },
    { label: 'malformed JSON', raw: '{"name": ' },
    { label: 'array body', raw: JSON.stringify([valid]) },
    { label: 'null body', raw: 'null' },
    { label: 'oversized body', raw: JSON.stringify({ ...valid, description: 'x'.repeat(100 * 1024) }), status: 413 },
    { label: 'form body', raw: 'name=App', contentType: 'application/x-www-form-urlencoded', status: 415 },
    { label: 'update with nothing', method: 'PATCH', url: '__app__', body: {} },
    { label: 'update with an unknown field', method: 'PATCH', url: '__app__', body: { secretHash: 'x' } },
    {
      label: 'update to a fragment URI',
      method: 'PATCH',
      url: '__app__',
      body: { redirectUris: ['https://app.example.com/#x'] },
      status: 422,
    },
    {
      label: 'rotate with overlap beyond 7 days',
      method: 'POST',
      url: '__app__/secret',
      body: { overlapSeconds: 700_000 },
      status: 422,
      code: 'overlap_out_of_bounds',
    },
    { label: 'rotate with a negative overlap', method: 'POST', url: '__app__/secret', body: { overlapSeconds: -5 } },
    {
      label: 'enable an enabled application',
      method: 'POST',
      url: '__app__/enable',
      status: 409,
      code: 'not_disabled',
    },
    { label: 'client id not a uuid', method: 'GET', url: '/v1/applications/not-a-uuid' },
    { label: 'unknown client id', method: 'GET', url: `/v1/applications/${randomUUID()}`, status: 404 },
    { label: 'bad cursor', method: 'GET', url: '/v1/applications?cursor=%00' },
  ];

  const counts = async () =>
    (
      await h.ctx.runtime.dataSource.query(
        'SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM applications) AS a, (SELECT count(*) FROM outbox) AS o',
      )
    )[0];

  it(`has at least 30 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)('$label → 4xx problem+json, nothing written', async (c) => {
    const before = await counts();
    const hasBody = c.raw !== undefined || c.body !== undefined;
    const res = await h.app.inject({
      method: c.method ?? 'POST',
      url: (c.url ?? '/v1/applications').replace('__app__', `/v1/applications/${clientId}`),
      headers: {
        authorization: `Bearer ${token}`,
        'x-account-id': account,
        ...(hasBody ? { 'content-type': c.contentType ?? 'application/json' } : {}),
      },
      ...(hasBody ? { payload: c.raw ?? JSON.stringify(c.body) } : {}),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    if (c.status !== undefined) expect(res.statusCode).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (c.code !== undefined) expect(res.json().code).toBe(c.code);
    expect(res.body).not.toContain('lk_cs_');
    expect(await counts()).toEqual(before);
  });
});

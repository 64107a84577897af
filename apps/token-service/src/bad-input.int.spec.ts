import { randomUUID } from 'node:crypto';
import { TokenHarness } from './testing/token-harness';

type Who = 'ada' | 'admin' | 'robot';
type Case = {
  label: string;
  method?: 'POST' | 'PUT' | 'GET' | 'DELETE';
  url?: string;
  as?: Who;
  body?: unknown;
  raw?: string;
  contentType?: string;
  bearer?: string | null;
  status?: number;
  code?: string;
};

const MEMBER = [
  'orders:create',
  'orders:read',
  'orders:update',
  'orders:delete',
  'personal_access_tokens:create',
  'personal_access_tokens:read',
  'personal_access_tokens:delete',
];
const ADMIN = [
  ...MEMBER,
  'personal_access_tokens:update',
  'accounts:update',
  'users:read',
  'account_tokens:create',
  'account_tokens:read',
  'account_tokens:update',
  'account_tokens:delete',
];
const ROBOT = ['orders:read', 'orders:update', 'personal_access_tokens:create'];

/**
 * Malformed and refused requests against the real service: each answers 4xx problem+json (bearer
 * errors: JSON with `www-authenticate`), never 5xx, and writes nothing (event store, outbox and
 * the service's own read models are unchanged).
 */
describe('token-service bad input (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  const elsewhere = randomUUID(); // an account nobody here is in
  const tokens = {} as Record<Who, string>;
  const ids = { ada: '', robot: '', contact: '', stranger: '', adaPat: '', revokedPat: '', bobPat: '', robotPat: '' };
  let adaSecret = '';

  beforeAll(async () => {
    await h.startService();
    const ada = await h.user('human', { [account]: MEMBER });
    const admin = await h.user('human', { [account]: ADMIN });
    const bob = await h.user('human', { [account]: MEMBER });
    ids.ada = ada;
    ids.robot = await h.user('api', { [account]: ROBOT });
    ids.contact = await h.user('contact', { [account]: ['orders:read', 'orders:update'] });
    ids.stranger = await h.user('human', { [elsewhere]: MEMBER }); // a user of another account only
    tokens.ada = await h.tokenFor(ada, [account], MEMBER);
    tokens.admin = await h.tokenFor(admin, [account], ADMIN);
    tokens.robot = await h.tokenFor(ids.robot, [account], ROBOT);
    const bobToken = await h.tokenFor(bob, [account], MEMBER);
    const create = async (token: string, name: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/personal-access-tokens',
        headers: { authorization: `Bearer ${token}` },
        payload: { name, scopes: ['orders:read'], accountIds: [account] },
      });
      expect(res.statusCode).toBe(201);
      return res.json() as { id: string; token: string };
    };
    const adaPat = await create(tokens.ada, 'laptop');
    ids.adaPat = adaPat.id;
    adaSecret = adaPat.token;
    ids.revokedPat = (await create(tokens.ada, 'old')).id;
    expect(
      (
        await h.app.inject({
          method: 'DELETE',
          url: `/v1/personal-access-tokens/${ids.revokedPat}`,
          headers: { authorization: `Bearer ${tokens.ada}` },
        })
      ).statusCode,
    ).toBe(204);
    ids.bobPat = (await create(bobToken, 'bob’s')).id;
    const robotPat = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${account}/users/${ids.robot}/personal-access-tokens`,
      headers: { authorization: `Bearer ${tokens.admin}` },
      payload: { name: 'robot', scopes: ['orders:read'], expiresInDays: 7 },
    });
    expect(robotPat.statusCode).toBe(201);
    ids.robotPat = robotPat.json().id;
    await h.waitForOwnEvents();
  }, 120_000);
  afterAll(() => h.stopService());

  const valid = () => ({ name: 'New token', scopes: ['orders:read'], accountIds: [account] });
  const forUser = () => ({ name: 'Made for them', scopes: ['orders:read'], expiresInDays: 7 });
  const PATS = '/v1/personal-access-tokens';
  const ADMIN_PATS = '/v1/accounts/__account__/personal-access-tokens';
  const POLICY = '/v1/accounts/__account__/token-policy';
  const policy = { whoMayCreate: 'everyone', maxLifetimeDays: 30, contactScopes: ['orders:read'] };
  const forged = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

  const cases: Case[] = [
    // POST /v1/personal-access-tokens: shape
    { label: 'missing name', body: { scopes: ['orders:read'], accountIds: ['__account__'] }, status: 400 },
    { label: 'missing scopes', body: { name: 'x', accountIds: ['__account__'] }, status: 400 },
    { label: 'missing accountIds', body: { name: 'x', scopes: ['orders:read'] }, status: 400 },
    { label: 'name as number', body: { ...valid(), name: 42 }, status: 400 },
    { label: 'scopes as string', body: { ...valid(), scopes: 'orders:read' }, status: 400 },
    { label: 'accountIds as string', body: { ...valid(), accountIds: '__account__' }, status: 400 },
    { label: 'description as object', body: { ...valid(), description: { text: 'x' } }, status: 400 },
    { label: 'unknown field (userId)', body: { ...valid(), userId: randomUUID() }, status: 400 },
    {
      label: 'constructor key',
      body: { ...valid(), constructor: { prototype: { admin: true } } },
      status: 400,
      code: 'malformed_json',
    },
    {
      label: '__proto__ key',
      raw: '{"name":"x","scopes":["orders:read"],"accountIds":["__account__"],"__proto__":{"admin":true}}',
      status: 400,
      code: 'malformed_json',
    },
    { label: 'name 10,000 characters', body: { ...valid(), name: 'n'.repeat(10_000) }, status: 400 },
    { label: 'name with control characters', body: { ...valid(), name: 'CI\u0000\u0007token' }, status: 400 },
    { label: 'name empty', body: { ...valid(), name: '' }, status: 400 },
    { label: 'description 10,000 characters', body: { ...valid(), description: 'd'.repeat(10_000) }, status: 400 },
    { label: 'empty scopes', body: { ...valid(), scopes: [] }, status: 400 },
    { label: 'scope with bad grammar (no action)', body: { ...valid(), scopes: ['orders'] }, status: 400 },
    { label: 'scope with bad grammar (unknown action)', body: { ...valid(), scopes: ['orders:admin'] }, status: 400 },
    { label: 'scope with bad grammar (upper case)', body: { ...valid(), scopes: ['Orders:read'] }, status: 400 },
    { label: 'scope SQL injection', body: { ...valid(), scopes: ["orders:read'; DROP TABLE pats; --"] }, status: 400 },
    { label: 'scope JSON injection', body: { ...valid(), scopes: ['{"$gt":""}'] }, status: 400 },
    { label: 'scope as object', body: { ...valid(), scopes: [{ scope: 'orders:read' }] }, status: 400 },
    { label: 'duplicate scopes', body: { ...valid(), scopes: ['orders:read', 'orders:read'] }, status: 400 },
    {
      label: '101 scopes',
      body: { ...valid(), scopes: Array.from({ length: 101 }, (_, i) => `s${i}:read`) },
      status: 400,
    },
    { label: 'account id not a uuid', body: { ...valid(), accountIds: ['acct-1'] }, status: 400 },
    { label: 'empty accountIds', body: { ...valid(), accountIds: [] }, status: 400 },
    { label: 'duplicate accountIds', body: { ...valid(), accountIds: ['__account__', '__account__'] }, status: 400 },
    // the bearer guard answers before the decider could say account_not_held: the token lacks the create scope there
    {
      label: 'account the user is not in',
      body: { ...valid(), accountIds: ['__elsewhere__'] },
      status: 403,
      code: 'insufficient_scope',
    },
    {
      label: 'an account the user is in and one they are not',
      body: { ...valid(), accountIds: ['__account__', '__elsewhere__'] },
      status: 403,
      code: 'insufficient_scope',
    },
    {
      label: 'scope beyond the user’s permissions',
      body: { ...valid(), scopes: ['accounts:update'] },
      status: 403,
      code: 'scope_not_held',
    },
    {
      label: 'wildcard scope beyond the user’s permissions',
      body: { ...valid(), scopes: ['personal_access_tokens:*'] },
      status: 403,
      code: 'scope_not_held',
    },
    {
      label: 'expiresAt in the past',
      body: { ...valid(), expiresAt: '2020-01-01T00:00:00Z' },
      status: 422,
      code: 'expiry_in_past',
    },
    { label: 'expiresAt not a date', body: { ...valid(), expiresAt: 'next tuesday' }, status: 400 },
    { label: 'expiresAt a number', body: { ...valid(), expiresAt: 1_900_000_000_000 }, status: 400 },
    {
      label: 'expiresAt and expiresInDays together',
      body: { ...valid(), expiresAt: '2099-01-01T00:00:00Z', expiresInDays: 7 },
      status: 400,
    },
    { label: 'expiresInDays 0', body: { ...valid(), expiresInDays: 0 }, status: 400 },
    { label: 'expiresInDays negative', body: { ...valid(), expiresInDays: -1 }, status: 400 },
    { label: 'expiresInDays 100,000', body: { ...valid(), expiresInDays: 100_000 }, status: 400 },
    { label: 'expiresInDays "7"', body: { ...valid(), expiresInDays: '7' }, status: 400 },
    { label: 'expiresInDays 1.5', body: { ...valid(), expiresInDays: 1.5 }, status: 400 },
    {
      label: 'api user creating a token for itself',
      as: 'robot',
      body: { ...valid(), expiresInDays: 7 },
      status: 403,
      code: 'not_allowed_for_api_users',
    },
    // POST /v1/personal-access-tokens: the body itself
    { label: 'malformed JSON', raw: '{"name": "x",', status: 400, code: 'malformed_json' },
    {
      label: 'JSON array body',
      raw: '[{"name":"x","scopes":["orders:read"],"accountIds":["__account__"]}]',
      status: 400,
    },
    { label: 'JSON null body', raw: 'null', status: 400 },
    { label: 'JSON string body', raw: '"hello"', status: 400 },
    { label: 'JSON number body', raw: '42', status: 400 },
    { label: 'empty body', raw: '', status: 400, code: 'empty_body' },
    {
      label: 'oversized body (100 KB)',
      raw: JSON.stringify({
        name: 'x',
        scopes: ['orders:read'],
        accountIds: ['__account__'],
        description: 'x'.repeat(100 * 1024),
      }),
      status: 413,
      code: 'payload_too_large',
    },
    { label: 'text/plain body', raw: 'name=x', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
    {
      label: 'form body',
      raw: 'name=x&scopes=orders%3Aread&accountIds=__account__',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'unsupported_media_type',
    },
    // one token: get, history, regenerate, revoke
    { label: 'get: id not a uuid', method: 'GET', url: `${PATS}/not-a-uuid`, status: 400 },
    { label: 'get: id SQL injection', method: 'GET', url: `${PATS}/1'%20OR%20'1'='1`, status: 400 },
    { label: 'history: id not a uuid', method: 'GET', url: `${PATS}/123/events`, status: 400 },
    { label: 'regenerate: id not a uuid', url: `${PATS}/not-a-uuid/regenerate`, status: 400 },
    { label: 'revoke: id not a uuid', method: 'DELETE', url: `${PATS}/not-a-uuid`, status: 400 },
    { label: 'get: unknown id', method: 'GET', url: `${PATS}/__random__`, status: 404, code: 'grant_not_found' },
    {
      label: 'history: unknown id',
      method: 'GET',
      url: `${PATS}/__random__/events`,
      status: 404,
      code: 'grant_not_found',
    },
    { label: 'regenerate: unknown id', url: `${PATS}/__random__/regenerate`, status: 404, code: 'grant_not_found' },
    { label: 'revoke: unknown id', method: 'DELETE', url: `${PATS}/__random__`, status: 404, code: 'grant_not_found' },
    {
      label: 'get: another user’s token',
      method: 'GET',
      url: `${PATS}/__bobPat__`,
      status: 404,
      code: 'grant_not_found',
    },
    {
      label: 'history: another user’s token',
      method: 'GET',
      url: `${PATS}/__bobPat__/events`,
      status: 404,
      code: 'grant_not_found',
    },
    {
      label: 'regenerate: another user’s token',
      url: `${PATS}/__bobPat__/regenerate`,
      status: 404,
      code: 'grant_not_found',
    },
    {
      label: 'revoke: another user’s token',
      method: 'DELETE',
      url: `${PATS}/__bobPat__`,
      status: 404,
      code: 'grant_not_found',
    },
    {
      label: 'regenerate: a revoked token',
      url: `${PATS}/__revokedPat__/regenerate`,
      status: 409,
      code: 'grant_revoked',
    },
    {
      label: 'regenerate: an api user its own token',
      as: 'robot',
      url: `${PATS}/__robotPat__/regenerate`,
      status: 403,
      code: 'not_allowed_for_api_users',
    },
    {
      label: 'regenerate: unknown body field',
      url: `${PATS}/__adaPat__/regenerate`,
      body: { name: 'renamed' },
      status: 400,
    },
    {
      label: 'regenerate: expiresInDays 0',
      url: `${PATS}/__adaPat__/regenerate`,
      body: { expiresInDays: 0 },
      status: 400,
    },
    {
      label: 'regenerate: expiresAt not a date',
      url: `${PATS}/__adaPat__/regenerate`,
      body: { expiresAt: 'soon' },
      status: 400,
    },
    {
      label: 'regenerate: expiresAt in the past',
      url: `${PATS}/__adaPat__/regenerate`,
      body: { expiresAt: '2020-01-01T00:00:00Z' },
      status: 422,
      code: 'expiry_in_past',
    },
    {
      label: 'regenerate: a JSON array body',
      url: `${PATS}/__adaPat__/regenerate`,
      raw: '[]',
      status: 400,
    },
    // administration
    {
      label: 'admin list: account not a uuid',
      method: 'GET',
      as: 'admin',
      url: '/v1/accounts/not-a-uuid/personal-access-tokens',
      status: 403,
      code: 'insufficient_scope',
    },
    {
      label: 'admin create: user not a uuid',
      as: 'admin',
      url: '/v1/accounts/__account__/users/not-a-uuid/personal-access-tokens',
      body: forUser(),
      status: 400,
    },
    {
      label: 'admin create: account not a uuid',
      as: 'admin',
      url: '/v1/accounts/not-a-uuid/users/__robot__/personal-access-tokens',
      body: forUser(),
      status: 403,
      code: 'insufficient_scope',
    },
    {
      label: 'admin create: unknown user',
      as: 'admin',
      url: '/v1/accounts/__account__/users/__random__/personal-access-tokens',
      body: forUser(),
      status: 404,
      code: 'user_unknown',
    },
    {
      label: 'admin create: unknown field',
      as: 'admin',
      url: '/v1/accounts/__account__/users/__robot__/personal-access-tokens',
      body: { ...forUser(), createdBy: randomUUID() },
      status: 400,
    },
    {
      label: 'admin create: contact given a forbidden scope',
      as: 'admin',
      url: '/v1/accounts/__account__/users/__contact__/personal-access-tokens',
      body: { ...forUser(), scopes: ['orders:update'] },
      status: 403,
      code: 'scope_not_allowed_for_contact',
    },
    {
      label: 'admin create: scope beyond the api user',
      as: 'admin',
      url: '/v1/accounts/__account__/users/__robot__/personal-access-tokens',
      body: { ...forUser(), scopes: ['orders:delete'] },
      status: 403,
      code: 'scope_not_held',
    },
    {
      label: 'admin create: an account the administrator does not administer (before any fact about the user)',
      as: 'admin',
      url: '/v1/accounts/__account__/users/__robot__/personal-access-tokens',
      body: { ...forUser(), accountIds: ['__account__', '__elsewhere__'] },
      status: 403,
      code: 'not_allowed_for_others',
    },
    {
      label: 'admin create: a user of another account only (answered as unknown)',
      as: 'admin',
      url: '/v1/accounts/__account__/users/__stranger__/personal-access-tokens',
      body: forUser(),
      status: 404,
      code: 'user_unknown',
    },
    {
      label: 'admin create: accountIds without the path account',
      as: 'admin',
      url: '/v1/accounts/__account__/users/__robot__/personal-access-tokens',
      body: { ...forUser(), accountIds: ['__elsewhere__'] },
      status: 403,
      code: 'account_not_held',
    },
    {
      label: 'admin create by a non-administrator (no account_tokens:create)',
      url: '/v1/accounts/__account__/users/__robot__/personal-access-tokens',
      body: forUser(),
      status: 403,
      code: 'insufficient_scope',
    },
    // administrators regenerating and reading the history of a token of the account
    {
      label: 'admin regenerate: id not a uuid',
      as: 'admin',
      url: `${ADMIN_PATS}/not-a-uuid/regenerate`,
      status: 400,
    },
    {
      label: 'admin regenerate: unknown id',
      as: 'admin',
      url: `${ADMIN_PATS}/__random__/regenerate`,
      status: 404,
      code: 'grant_not_found',
    },
    {
      label: 'admin regenerate: a revoked token',
      as: 'admin',
      url: `${ADMIN_PATS}/__revokedPat__/regenerate`,
      status: 409,
      code: 'grant_revoked',
    },
    {
      label: 'admin regenerate: unknown body field',
      as: 'admin',
      url: `${ADMIN_PATS}/__robotPat__/regenerate`,
      body: { scopes: ['orders:delete'] },
      status: 400,
    },
    {
      label: 'admin regenerate: expiresAt and expiresInDays together',
      as: 'admin',
      url: `${ADMIN_PATS}/__robotPat__/regenerate`,
      body: { expiresAt: '2099-01-01T00:00:00Z', expiresInDays: 7 },
      status: 400,
    },
    {
      label: 'admin regenerate: a JSON null body',
      as: 'admin',
      url: `${ADMIN_PATS}/__robotPat__/regenerate`,
      raw: 'null',
      status: 400,
    },
    {
      label: 'admin regenerate by a non-administrator',
      url: `${ADMIN_PATS}/__robotPat__/regenerate`,
      status: 403,
      code: 'insufficient_scope',
    },
    {
      label: 'admin history: unknown id',
      method: 'GET',
      as: 'admin',
      url: `${ADMIN_PATS}/__random__/events`,
      status: 404,
      code: 'grant_not_found',
    },
    {
      label: 'admin history by a non-administrator',
      method: 'GET',
      url: `${ADMIN_PATS}/__bobPat__/events`,
      status: 403,
      code: 'insufficient_scope',
    },
    {
      label: 'admin revoke: id not a uuid',
      method: 'DELETE',
      as: 'admin',
      url: `${ADMIN_PATS}/not-a-uuid`,
      status: 400,
    },
    {
      label: 'admin revoke: unknown id',
      method: 'DELETE',
      as: 'admin',
      url: `${ADMIN_PATS}/__random__`,
      status: 404,
      code: 'grant_not_found',
    },
    // token policy
    {
      label: 'policy: bad whoMayCreate',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, whoMayCreate: 'nobody' },
      status: 400,
    },
    {
      label: 'policy: maxLifetimeDays 0',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, maxLifetimeDays: 0 },
      status: 400,
    },
    {
      label: 'policy: maxLifetimeDays 5000',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, maxLifetimeDays: 5000 },
      status: 400,
    },
    {
      label: 'policy: maxLifetimeDays "30"',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, maxLifetimeDays: '30' },
      status: 400,
    },
    {
      label: 'policy: contact scope with bad grammar',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, contactScopes: ['orders'] },
      status: 400,
    },
    {
      label: 'policy: contact scope SQL injection',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, contactScopes: ["orders:read'); DELETE FROM token_policies; --"] },
      status: 400,
    },
    {
      label: 'policy: duplicate contact scopes',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, contactScopes: ['orders:read', 'orders:read'] },
      status: 400,
    },
    {
      label: 'policy: unknown field',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { ...policy, allowAll: true },
      status: 400,
    },
    {
      label: 'policy: missing fields',
      method: 'PUT',
      as: 'admin',
      url: POLICY,
      body: { whoMayCreate: 'everyone' },
      status: 400,
    },
    {
      label: 'policy: account not a uuid',
      method: 'PUT',
      as: 'admin',
      url: '/v1/accounts/not-a-uuid/token-policy',
      body: policy,
      status: 403,
      code: 'insufficient_scope',
    },
    {
      label: 'policy: set without account_tokens:update',
      method: 'PUT',
      url: POLICY,
      body: policy,
      status: 403,
      code: 'insufficient_scope',
    },
    // lists
    { label: 'list: limit 0', method: 'GET', url: `${PATS}?limit=0`, status: 400 },
    { label: 'list: limit 1000', method: 'GET', url: `${PATS}?limit=1000`, status: 400 },
    { label: 'list: limit not a number', method: 'GET', url: `${PATS}?limit=ten`, status: 400 },
    { label: 'list: garbage cursor', method: 'GET', url: `${PATS}?cursor=%27%3B%20DROP%20TABLE%20pats`, status: 400 },
    {
      label: 'list: forged cursor holding SQL',
      method: 'GET',
      url: `${PATS}?cursor=${forged(["2026-01-01'; DROP TABLE pats; --", "x' OR '1'='1"])}`,
      status: 400,
      code: 'invalid_cursor',
    },
    {
      label: 'list: forged cursor with a bad date',
      method: 'GET',
      url: `${PATS}?cursor=${forged(['2026-13-45T99:99:99Z', randomUUID()])}`,
      status: 400,
      code: 'invalid_cursor',
    },
    { label: 'list: unknown query parameter', method: 'GET', url: `${PATS}?userId=${randomUUID()}`, status: 400 },
    { label: 'admin list: limit 1000', method: 'GET', as: 'admin', url: `${ADMIN_PATS}?limit=1000`, status: 400 },
    {
      label: 'admin list: forged cursor holding SQL',
      method: 'GET',
      as: 'admin',
      url: `${ADMIN_PATS}?cursor=${forged(["' OR 1=1 --", 'y'])}`,
      status: 400,
      code: 'invalid_cursor',
    },
    // check
    {
      label: 'check: token of 10,000 characters',
      url: `${PATS}/check`,
      body: { token: `lk_pat_${'a'.repeat(9_993)}` },
      status: 400,
    },
    { label: 'check: token missing', url: `${PATS}/check`, body: {}, status: 400 },
    { label: 'check: token as number', url: `${PATS}/check`, body: { token: 42 }, status: 400 },
    { label: 'check: unknown field', url: `${PATS}/check`, body: { token: 'lk_pat_x', hash: 'y' }, status: 400 },
    // the bearer itself
    {
      label: 'bearer of 10,000 characters',
      method: 'GET',
      url: PATS,
      bearer: `lk_pat_${'a'.repeat(9_993)}`,
      status: 400,
      code: 'invalid_request',
    },
    { label: 'no bearer', body: valid(), bearer: null, status: 401, code: 'unauthorized' },
    {
      label: 'an unknown bearer token',
      method: 'GET',
      url: PATS,
      bearer: 'lk_pat_0000000000000000000000000000000000000000000000000',
      status: 401,
    },
  ];

  const counts = async () =>
    (
      await h.ctx.runtime.dataSource.query(
        'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM pats) AS pats, (SELECT count(*) FROM token_hashes) AS token_hashes, (SELECT count(*) FROM token_policies) AS token_policies',
      )
    )[0];

  const fill = (text: string) =>
    text
      .replaceAll('__account__', account)
      .replaceAll('__elsewhere__', elsewhere)
      .replaceAll('__robot__', ids.robot)
      .replaceAll('__contact__', ids.contact)
      .replaceAll('__stranger__', ids.stranger)
      .replaceAll('__robotPat__', ids.robotPat)
      .replaceAll('__adaPat__', ids.adaPat)
      .replaceAll('__bobPat__', ids.bobPat)
      .replaceAll('__revokedPat__', ids.revokedPat)
      .replaceAll('__random__', randomUUID());

  it(`has at least 35 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(35));

  it.each(cases)('$label → 4xx, nothing written', async (c) => {
    const before = await counts();
    const hasBody = c.raw !== undefined || c.body !== undefined;
    const bearer = c.bearer === undefined ? tokens[c.as ?? 'ada'] : c.bearer;
    const res = await h.app.inject({
      method: c.method ?? 'POST',
      url: fill(c.url ?? PATS),
      headers: {
        ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}),
        ...(hasBody ? { 'content-type': c.contentType ?? 'application/json' } : {}),
      },
      ...(hasBody ? { payload: fill(c.raw ?? JSON.stringify(c.body)) } : {}),
    });
    const context = `${res.statusCode} ${res.body.slice(0, 300)}`;
    expect({ context, is4xx: res.statusCode >= 400 && res.statusCode < 500 }).toEqual({ context, is4xx: true });
    if (c.status !== undefined) expect({ context, status: res.statusCode }).toEqual({ context, status: c.status });
    const bearerError = res.headers['www-authenticate'] !== undefined;
    expect(res.headers['content-type']).toMatch(bearerError ? /^application\/json/ : /^application\/problem\+json/);
    const body = res.json();
    if (!bearerError)
      expect(body).toMatchObject({
        type: expect.stringContaining('/problems/'),
        status: res.statusCode,
        code: expect.any(String),
      });
    // a 400 without a code of its own in the table is a schema refusal
    const code = c.code ?? (c.status === 400 ? 'validation_failed' : undefined);
    if (code !== undefined) expect({ context, code: body.code ?? body.error }).toEqual({ context, code });
    expect(res.body).not.toContain(adaSecret);
    expect(await counts()).toEqual(before);
  });
});

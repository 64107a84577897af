import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { generateSecret } from '@latchkey/token-format';
import { TokenProjection } from '../projection/token-projection';
import { EventFactory } from '../testing/event-factory';
import { verifyToken, type ActiveToken } from '../verify';
import { Authenticated, CurrentToken, LatchkeyAuthModule } from './index';

const ORDERS_READ = { scopes: ['orders:read'], account: { header: 'x-account-id' } } as const;

@Controller('orders')
class OrdersController {
  @Get()
  @Authenticated(ORDERS_READ)
  list(@CurrentToken() token: ActiveToken) {
    return { subject: token.subject, effectiveScopes: token.effectiveScopes };
  }

  @Post()
  @Authenticated(ORDERS_READ)
  create(@Body() _body: unknown, @CurrentToken() token: ActiveToken) {
    return { subject: token.subject };
  }
}

@Controller('accounts')
@Authenticated({ account: { param: 'accountId' } })
class AccountsController {
  @Get(':accountId/me')
  me(@CurrentToken() token: ActiveToken) {
    return { subject: token.subject };
  }
}

const f = new EventFactory();
const userId = randomUUID();
const projection = new TokenProjection();
const good = f.pat(userId, { scopes: ['orders:read', 'orders:update'] });
const narrow = f.pat(userId, { scopes: ['orders:update'] });
const revoked = f.pat(userId);
const expired = f.pat(userId, { expiresAt: new Date(Date.now() + 60_000).toISOString() });
const userEvents = [
  f.event('UserRegistered', userId, {
    userId,
    kind: 'human',
    email: 'ada@example.com',
    displayName: 'Ada',
    accountIds: ['acct-1'],
  }),
  f.event('MembershipChanged', userId, {
    userId,
    accountId: 'acct-1',
    roles: ['member'],
    permissions: ['orders:read', 'orders:update'],
  }),
];
[
  ...userEvents,
  good.issued,
  narrow.issued,
  revoked.issued,
  expired.issued,
  f.event('TokenRevoked', revoked.grantId, {
    tokenId: revoked.tokenId,
    grantId: revoked.grantId,
    reason: 'regenerated',
  }),
].forEach((e) => projection.apply(e));

let ready = true;
let stale = false;
let clockOffset = 0;
// a token issued a moment ago: not in the projection yet, known to the fallback (token-service)
const fresh = f.pat(userId, { scopes: ['orders:read'] });
const fallbackAsked: Array<string | undefined> = [];
const verifier = {
  verify: (t: string, o?: { account?: string; requiredScopes?: readonly string[] }) =>
    verifyToken(projection, t, o, Date.now() + clockOffset),
  get isReady() {
    return ready;
  },
  isStale: () => stale,
  verifyWithFallback: async (
    t: string,
    o?: { account?: string; requiredScopes?: readonly string[] },
    context?: { clientKey?: string },
  ) => {
    fallbackAsked.push(context?.clientKey);
    if (t !== fresh.token) return verifier.verify(t, o);
    const shadow = new TokenProjection();
    shadow.apply(fresh.issued);
    for (const e of userEvents) shadow.apply(e);
    return verifyToken(shadow, t, o);
  },
};

let app: NestFastifyApplication;
beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [LatchkeyAuthModule.forRoot({ verifier })],
    controllers: [OrdersController, AccountsController],
  }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});
afterAll(() => app.close());
afterEach(() => {
  ready = true;
  stale = false;
  clockOffset = 0;
});

describe('the guard fails closed when stale and accepts a token on the first request after its creation', () => {
  it('a stale verifier answers 503 temporarily_unavailable with Retry-After, even for a good token', async () => {
    stale = true;
    const res = await app.inject({
      method: 'GET',
      url: '/orders',
      headers: { ...acct, authorization: `Bearer ${good.token}` },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('a token the projection does not know yet goes through the miss fallback (with the client address) and passes', async () => {
    expect(verifier.verify(fresh.token, { account: 'acct-1' })).toEqual({ active: false, reason: 'unknown' });
    fallbackAsked.length = 0;
    const res = await app.inject({
      method: 'GET',
      url: '/orders',
      headers: { ...acct, authorization: `Bearer ${fresh.token}` },
      remoteAddress: '198.51.100.23',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ subject: userId, effectiveScopes: ['orders:read'] });
    expect(fallbackAsked).toEqual(['198.51.100.23']);
  });

  it('a known token never calls the fallback', async () => {
    fallbackAsked.length = 0;
    const res = await app.inject({
      method: 'GET',
      url: '/orders',
      headers: { ...acct, authorization: `Bearer ${good.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(fallbackAsked).toEqual([]);
  });
});

const REALM = 'Bearer realm="latchkey"';
const invalidRequest = /^Bearer realm="latchkey", error="invalid_request", error_description="[^"]+"$/;
const invalidToken = (d: string) => `Bearer realm="latchkey", error="invalid_token", error_description="${d}"`;
const acct = { 'x-account-id': 'acct-1' };

interface Case {
  name: string;
  headers?: Record<string, string | string[]>;
  url?: string;
  method?: 'GET' | 'POST';
  payload?: object;
  status: number;
  www?: string | RegExp;
  error?: string;
  before?: () => void;
}

const cases: Case[] = [
  { name: 'no Authorization header', headers: acct, status: 401, www: REALM, error: 'unauthorized' },
  {
    name: 'empty header',
    headers: { ...acct, authorization: '' },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'only spaces',
    headers: { ...acct, authorization: '   ' },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: '"Bearer" alone',
    headers: { ...acct, authorization: 'Bearer' },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: '"Bearer " + spaces',
    headers: { ...acct, authorization: 'Bearer     ' },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'two tokens',
    headers: { ...acct, authorization: `Bearer ${good.token} ${good.token}` },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'two Authorization headers',
    headers: { ...acct, authorization: [`Bearer ${good.token}`, `Bearer ${good.token}`] },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: '8 KB token',
    headers: { ...acct, authorization: `Bearer ${'a'.repeat(8192)}` },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'non-ASCII token',
    headers: { ...acct, authorization: 'Bearer t\u00f6k\u00e9n' },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'non-b64token chars',
    headers: { ...acct, authorization: 'Bearer abc,def' },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'tab instead of space',
    headers: { ...acct, authorization: `Bearer\t${good.token}` },
    status: 401,
    www: REALM,
    error: 'unauthorized',
  },
  {
    name: 'Basic scheme',
    headers: { ...acct, authorization: 'Basic xyz' },
    status: 401,
    www: REALM,
    error: 'unauthorized',
  },
  {
    name: 'no scheme, raw token',
    headers: { ...acct, authorization: good.token },
    status: 401,
    www: REALM,
    error: 'unauthorized',
  },
  {
    name: '"Bearerx" scheme',
    headers: { ...acct, authorization: `Bearerx ${good.token}` },
    status: 401,
    www: REALM,
    error: 'unauthorized',
  },
  {
    name: 'token in the query',
    headers: acct,
    url: `/orders?access_token=${good.token}`,
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'header and token in the query',
    headers: { ...acct, authorization: `Bearer ${good.token}` },
    url: `/orders?access_token=${good.token}`,
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'token in the body',
    method: 'POST',
    headers: acct,
    payload: { access_token: good.token },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'garbage token',
    headers: { ...acct, authorization: 'Bearer garbage' },
    status: 401,
    www: invalidToken('The access token is malformed'),
    error: 'invalid_token',
  },
  {
    name: 'bad checksum',
    headers: { ...acct, authorization: `Bearer ${good.token.slice(0, -1)}${good.token.endsWith('A') ? 'B' : 'A'}` },
    status: 401,
    www: invalidToken('The access token is malformed'),
    error: 'invalid_token',
  },
  {
    name: 'unknown token',
    headers: { ...acct, authorization: `Bearer ${generateSecret('pat')}` },
    status: 401,
    www: invalidToken('The access token is unknown'),
    error: 'invalid_token',
  },
  {
    name: 'revoked token',
    headers: { ...acct, authorization: `Bearer ${revoked.token}` },
    status: 401,
    www: invalidToken('The access token has been revoked'),
    error: 'invalid_token',
  },
  {
    name: 'expired token',
    headers: { ...acct, authorization: `Bearer ${expired.token}` },
    status: 401,
    www: invalidToken('The access token has expired'),
    error: 'invalid_token',
    before: () => (clockOffset = 120_000),
  },
  {
    name: 'missing scope',
    headers: { ...acct, authorization: `Bearer ${narrow.token}` },
    status: 403,
    www: 'Bearer realm="latchkey", error="insufficient_scope", error_description="The access token lacks: orders:read", scope="orders:read"',
    error: 'insufficient_scope',
  },
  {
    name: 'account not allowed',
    headers: { 'x-account-id': 'acct-2', authorization: `Bearer ${good.token}` },
    status: 403,
    www: /error="insufficient_scope"/,
    error: 'insufficient_scope',
  },
  {
    name: 'missing account header',
    headers: { authorization: `Bearer ${good.token}` },
    status: 400,
    www: invalidRequest,
    error: 'invalid_request',
  },
  {
    name: 'verifier not ready',
    headers: { ...acct, authorization: `Bearer ${good.token}` },
    status: 503,
    error: 'temporarily_unavailable',
    before: () => (ready = false),
  },
];

describe('@Authenticated route on Fastify — RFC 6750 answers', () => {
  it.each(cases)('$name → $status', async (c) => {
    c.before?.();
    const res = await app.inject({
      method: c.method ?? 'GET',
      url: c.url ?? '/orders',
      headers: c.headers,
      ...(c.payload ? { payload: c.payload } : {}),
    });
    expect(res.statusCode).toBe(c.status);
    const www = res.headers['www-authenticate'];
    if (c.www === undefined) expect(www).toBeUndefined();
    else if (typeof c.www === 'string') expect(www).toBe(c.www);
    else expect(www).toMatch(c.www);
    const body = res.json();
    expect(body).toEqual({ error: c.error, error_description: expect.any(String) });
    if (c.status === 503) expect(res.headers['retry-after']).toBeDefined();
    // never echo the token
    for (const t of [good.token, narrow.token, revoked.token]) expect(res.body + String(www)).not.toContain(t);
  });

  it('accepts the valid token; CurrentToken gives subject and effective scopes', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/orders',
      headers: { ...acct, authorization: `Bearer ${good.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ subject: userId, effectiveScopes: ['orders:read', 'orders:update'] });
  });

  it('accepts a lowercase scheme and several spaces (RFC 7235: case-insensitive, 1*SP)', async () => {
    for (const authorization of [`bearer ${good.token}`, `BEARER ${good.token}`, `Bearer   ${good.token}`]) {
      const res = await app.inject({ method: 'GET', url: '/orders', headers: { ...acct, authorization } });
      expect(res.statusCode).toBe(200);
    }
  });

  it('accepts a POST with a JSON body that has no token', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...acct, authorization: `Bearer ${good.token}` },
      payload: { item: 1 },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ subject: userId });
  });

  it('takes the account from a path parameter when told to', async () => {
    const auth = { authorization: `Bearer ${good.token}` };
    expect((await app.inject({ method: 'GET', url: '/accounts/acct-1/me', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/accounts/acct-2/me', headers: auth })).statusCode).toBe(403);
  });
});

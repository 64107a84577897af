import 'reflect-metadata';
import { Controller, Get, HttpCode, HttpException, Post, Res, ServiceUnavailableException } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type, type Static } from '@sinclair/typebox';
import { Email, Name, PageQuery, Uuid, ValidBody, ValidParam, ValidQuery } from '../validation/typebox-validation';
import { configureHttpApp } from './create-http-app';
import { servedRoutes } from '../openapi/served-routes';
import { buildOpenApiDocument, documentedRoutes } from '../openapi/openapi';
import { registerOpenApi } from '../openapi/docs-page';

const CreateUser = Type.Object(
  {
    email: Email,
    displayName: Name(100),
    password: Type.String({ minLength: 12 }),
    age: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Reply {
  header(name: string, value: string): unknown;
}

@Controller('users')
class UsersController {
  @Post()
  @HttpCode(201)
  create(@ValidBody(CreateUser) body: Static<typeof CreateUser>) {
    if (body.email === 'taken@example.com')
      throw new DomainError('EMAIL_TAKEN', 'That email address is already registered.');
    if (body.email === 'boom@example.com') throw new Error('database password=hunter2 rejected');
    return { email: body.email, age: body.age ?? null };
  }

  @Get()
  list(@ValidQuery(PageQuery) query: Static<typeof PageQuery>) {
    return { limit: query.limit, cursor: query.cursor ?? null };
  }

  @Get(':id')
  get(@ValidParam('id', Uuid) id: string) {
    return { id };
  }

  @Get(':id/secure')
  secure(@Res({ passthrough: true }) reply: Reply) {
    reply.header('WWW-Authenticate', 'Bearer realm="latchkey", error="insufficient_scope", scope="users:read"');
    throw new HttpException({ error: 'insufficient_scope', error_description: 'The token lacks users:read' }, 403);
  }

  @Get(':id/unavailable')
  unavailable(@Res({ passthrough: true }) reply: Reply) {
    reply.header('Retry-After', '5');
    throw new ServiceUnavailableException('The projection is still loading.');
  }
}

const document = buildOpenApiDocument({
  title: 'test',
  version: '1',
  routes: [
    {
      method: 'POST',
      path: '/users',
      summary: 'create',
      body: CreateUser,
      responses: { 201: { description: 'created' } },
    },
    { method: 'GET', path: '/users', summary: 'list', query: PageQuery, responses: { 200: { description: 'ok' } } },
    {
      method: 'GET',
      path: '/users/:id',
      summary: 'get',
      scopes: ['users:read'],
      responses: { 200: { description: 'ok' } },
    },
    {
      method: 'GET',
      path: '/users/:id/secure',
      summary: 'secure',
      scopes: ['users:read'],
      responses: { 200: { description: 'ok' } },
    },
    {
      method: 'GET',
      path: '/users/:id/unavailable',
      summary: 'unavailable',
      responses: { 200: { description: 'ok' } },
    },
  ],
});

const logged: unknown[][] = [];
const captureLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: (...args: unknown[]) => void logged.push(args),
};
let app: NestFastifyApplication;
beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({ controllers: [UsersController] }).compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 64 * 1024 }), {
    logger: captureLogger,
  });
  configureHttpApp(app, { statusByCode: { EMAIL_TAKEN: 409, USER_NOT_FOUND: 404 } });
  registerOpenApi(app, document);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});
afterAll(() => app.close());

const valid = { email: 'ada@example.com', displayName: 'Ada Lovelace', password: 'correct horse battery' };
const post = (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({
    method: 'POST',
    url: '/users',
    headers,
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `https://latchkey.dev/problems/${code}`, status, code });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}

describe('a valid request', () => {
  it('reaches the handler with the validated body', async () => {
    const res = await post({ ...valid, age: 36 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ email: 'ada@example.com', age: 36 });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('body validation → 400 validation_failed', () => {
  it('names a missing property by its pointer', async () => {
    const { password: _password, ...rest } = valid;
    const body = expectProblem(await post(rest), 400, 'validation_failed');
    expect(body.errors).toEqual([{ path: '/password', message: 'is required' }]);
  });

  it('reports a wrong type without coercing it', async () => {
    const body = expectProblem(await post({ ...valid, age: '36' }), 400, 'validation_failed');
    expect(body.errors).toEqual([{ path: '/age', message: 'must be integer' }]);
  });

  it('refuses an unknown field', async () => {
    const body = expectProblem(await post({ ...valid, isAdmin: true }), 400, 'validation_failed');
    expect(body.errors).toEqual([{ path: '/isAdmin', message: 'is not allowed' }]);
  });

  it('refuses a bad email and reports every error at once, never echoing values', async () => {
    const res = await post({ ...valid, email: 'not an email', password: 'p4ss' });
    const body = expectProblem(res, 400, 'validation_failed');
    const errors = body.errors as Array<{ path: string; message: string }>;
    expect(errors).toContainEqual({ path: '/email', message: 'must match format "email"' });
    expect(errors).toContainEqual({ path: '/password', message: 'must NOT have fewer than 12 characters' });
    expect(res.body).not.toContain('p4ss');
    expect(res.body).not.toContain('not an email');
  });

  it('refuses a name with control characters or surrounding spaces', async () => {
    for (const displayName of [' Ada', 'Ada\u0000', '', 'A\nB']) {
      const body = expectProblem(await post({ ...valid, displayName }), 400, 'validation_failed');
      expect((body.errors as Array<{ path: string }>).every((e) => e.path === '/displayName')).toBe(true);
    }
  });

  it.each([['[]'], ['"a string"'], ['null'], ['42']])('refuses the non-object body %s', async (payload) => {
    const body = expectProblem(await post(payload), 400, 'validation_failed');
    expect(body.errors).toEqual([{ path: '', message: 'must be a JSON object' }]);
  });

  it('refuses a POST with no body at all', async () => {
    const res = await app.inject({ method: 'POST', url: '/users' });
    expectProblem(res, 400, 'validation_failed');
  });
});

describe('errors before the handler', () => {
  it('malformed JSON → 400 malformed_json', async () => {
    expectProblem(await post('{"email": '), 400, 'malformed_json');
  });

  it('an empty body with a JSON content type → 400', async () => {
    expectProblem(await post(''), 400, 'empty_body');
  });

  it('a 100 KB body → 413 payload_too_large', async () => {
    expectProblem(await post({ ...valid, displayName: 'x'.repeat(100 * 1024) }), 413, 'payload_too_large');
  });

  it('text/plain → 415 unsupported_media_type', async () => {
    expectProblem(await post('hello', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
  });

  it('a form body → 415 too (JSON only)', async () => {
    expectProblem(
      await post('a=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    );
  });

  it('an unknown route → 404 not_found without echoing the query string', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere?token=lk_pat_secret' });
    expectProblem(res, 404, 'not_found');
    expect(res.body).not.toContain('lk_pat_secret');
  });

  it('accepts JSON with a charset parameter', async () => {
    const res = await post(valid, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.statusCode).toBe(201);
  });
});

describe('errors from handlers', () => {
  it('a domain error with a mapped code → its status, lower-cased code, its message', async () => {
    const body = expectProblem(await post({ ...valid, email: 'taken@example.com' }), 409, 'email_taken');
    expect(body.detail).toBe('That email address is already registered.');
  });

  it('an unexpected Error → 500 internal_error, nothing of the message leaked', async () => {
    const res = await post({ ...valid, email: 'boom@example.com' });
    const body = expectProblem(res, 500, 'internal_error');
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('database');
    expect(body).not.toHaveProperty('stack');
    const entry = logged.find((args) => args[0] === 'database password=hunter2 rejected');
    expect(entry).toBeDefined();
    expect(String(entry![1])).toContain('at UsersController.create');
    expect(JSON.stringify(logged)).not.toContain('correct horse battery');
  });

  it('client faults are not logged as errors', async () => {
    logged.length = 0;
    await post('{"email": ');
    await post({ ...valid, isAdmin: true });
    expect(logged).toEqual([]);
  });

  it('a bearer HttpException passes through as RFC 6750 JSON with its WWW-Authenticate', async () => {
    const res = await app.inject({ method: 'GET', url: '/users/00000000-0000-4000-8000-000000000000/secure' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['www-authenticate']).toContain('insufficient_scope');
    expect(res.json()).toEqual({ error: 'insufficient_scope', error_description: 'The token lacks users:read' });
  });

  it('a 503 HttpException → problem+json service_unavailable and keeps Retry-After', async () => {
    const res = await app.inject({ method: 'GET', url: '/users/00000000-0000-4000-8000-000000000000/unavailable' });
    const body = expectProblem(res, 503, 'service_unavailable');
    expect(body.detail).toBe('The projection is still loading.');
    expect(res.headers['retry-after']).toBe('5');
  });
});

describe('query and params', () => {
  it('coerces the query limit and applies its default', async () => {
    expect((await app.inject({ method: 'GET', url: '/users?limit=10' })).json()).toEqual({ limit: 10, cursor: null });
    expect((await app.inject({ method: 'GET', url: '/users' })).json()).toEqual({ limit: 50, cursor: null });
  });

  it('refuses an out-of-range limit, a non-base64url cursor and unknown query members', async () => {
    const res = await app.inject({ method: 'GET', url: '/users?limit=500&cursor=a%2Bb&sort=name' });
    const body = expectProblem(res, 400, 'validation_failed');
    const paths = (body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['/cursor', '/limit', '/sort']);
  });

  it('checks a single path parameter and points at it', async () => {
    const body = expectProblem(await app.inject({ method: 'GET', url: '/users/not-a-uuid' }), 400, 'validation_failed');
    expect(body.errors).toEqual([{ path: '/id', message: 'must match format "uuid"' }]);
    const ok = await app.inject({ method: 'GET', url: '/users/00000000-0000-4000-8000-000000000000' });
    expect(ok.json()).toEqual({ id: '00000000-0000-4000-8000-000000000000' });
  });
});

describe('docs and route inventory', () => {
  it('servedRoutes lists the controller routes (no HEAD, no /docs) and matches the document', () => {
    const served = servedRoutes(app.getHttpAdapter().getInstance());
    expect(served).toEqual([
      { method: 'GET', path: '/users' },
      { method: 'POST', path: '/users' },
      { method: 'GET', path: '/users/:id' },
      { method: 'GET', path: '/users/:id/secure' },
      { method: 'GET', path: '/users/:id/unavailable' },
    ]);
    expect(served).toEqual(documentedRoutes(document));
  });

  it('serves the document and an HTML page without external assets', async () => {
    const json = await app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual(document);
    const html = await app.inject({ method: 'GET', url: '/docs' });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain('/users/{id}/secure');
    expect(html.body).toContain('users:read');
    expect(html.body).not.toMatch(/<script|https?:\/\/(?!latchkey)/);
  });
});

import { Type } from '@sinclair/typebox';
import { PageQuery, Uuid } from '../validation/typebox-validation';
import { buildOpenApiDocument, documentedRoutes, toFastifyPath, toOpenApiPath } from './openapi';
import { renderDocsPage } from './docs-page';

const Application = Type.Object({ id: Uuid, name: Type.String() }, { additionalProperties: false });

const doc = buildOpenApiDocument({
  title: 'application-registry',
  version: '1.0.0',
  description: 'OAuth applications',
  servers: [{ url: 'http://127.0.0.1:3002' }],
  routes: [
    {
      method: 'GET',
      path: '/accounts/:accountId/applications',
      summary: 'List applications',
      scopes: ['applications:read'],
      params: Type.Object({ accountId: Uuid }),
      query: PageQuery,
      responses: {
        200: { description: 'A page of applications', schema: Type.Object({ items: Type.Array(Application) }) },
      },
    },
    {
      method: 'POST',
      path: '/accounts/:accountId/applications',
      summary: 'Register an application',
      description: 'Creates it.',
      tags: ['applications'],
      scopes: ['applications:write', 'applications:read'],
      body: Type.Object({ name: Type.String() }, { additionalProperties: false }),
      responses: { 201: { description: 'Registered', schema: Application }, 409: { description: 'Name taken' } },
    },
    { method: 'GET', path: '/healthz', summary: 'Liveness', responses: { 200: { description: 'ok' } } },
  ],
});

describe('buildOpenApiDocument', () => {
  const list = doc.paths['/accounts/{accountId}/applications']!.get!;
  const create = doc.paths['/accounts/{accountId}/applications']!.post!;
  const health = doc.paths['/healthz']!.get!;

  it('is OpenAPI 3.1 with the info, servers and every route at its converted path', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'application-registry', version: '1.0.0', description: 'OAuth applications' });
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:3002' }]);
    expect(Object.keys(doc.paths).sort()).toEqual(['/accounts/{accountId}/applications', '/healthz']);
    expect(documentedRoutes(doc)).toEqual([
      { method: 'GET', path: '/accounts/:accountId/applications' },
      { method: 'POST', path: '/accounts/:accountId/applications' },
      { method: 'GET', path: '/healthz' },
    ]);
  });

  it('documents path and query parameters from the schemas', () => {
    expect(list.parameters).toEqual([
      { name: 'accountId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'integer', default: 50 }),
      },
      {
        name: 'cursor',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'string', maxLength: 200 }),
      },
    ]);
    // A path parameter without a params schema is still documented.
    expect(create.parameters).toEqual([{ name: 'accountId', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  it('documents the scopes under the latchkeyBearer scheme and in the description', () => {
    expect(create.security).toEqual([{ latchkeyBearer: ['applications:write', 'applications:read'] }]);
    expect(create.description).toContain('Creates it.');
    expect(create.description).toContain('`applications:write`, `applications:read`');
    expect(doc.components.securitySchemes.latchkeyBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(health.security).toBeUndefined();
  });

  it('adds the problem+json errors each route can produce, with a shared Problem schema', () => {
    expect(doc.components.schemas.Problem).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']),
    });
    expect(Object.keys(create.responses).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '500',
    ]);
    expect(create.responses['413']!.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(create.responses['409']).toEqual({ description: 'Name taken' }); // the route's own entry wins
    expect(create.responses['401']!.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/BearerError' } },
    });
    expect(Object.keys(health.responses).sort()).toEqual(['200', '400', '404', '500']);
    expect(create.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: { type: 'string' } },
          },
        },
      },
    });
  });

  it('is plain JSON (no TypeBox symbols, survives a round trip)', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('refuses a duplicate route and a params member that is not in the path', () => {
    const r = { method: 'GET' as const, path: '/a/:id', summary: 's', responses: { 200: { description: 'ok' } } };
    expect(() => buildOpenApiDocument({ title: 't', version: '1', routes: [r, r] })).toThrow(/twice/);
    expect(() =>
      buildOpenApiDocument({
        title: 't',
        version: '1',
        routes: [{ ...r, params: Type.Object({ other: Type.String() }) }],
      }),
    ).toThrow(/not in the path/);
  });

  it('converts paths both ways', () => {
    expect(toOpenApiPath('/a/:id/b/:other_id')).toBe('/a/{id}/b/{other_id}');
    expect(toFastifyPath('/a/{id}/b/{other_id}')).toBe('/a/:id/b/:other_id');
  });

  it('renders an HTML page that escapes what it shows', () => {
    const html = renderDocsPage(
      buildOpenApiDocument({
        title: '<x>',
        version: '1',
        routes: [{ method: 'GET', path: '/a', summary: '<script>', responses: { 200: { description: 'ok' } } }],
      }),
    );
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
  });
});

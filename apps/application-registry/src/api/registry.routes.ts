import { buildOpenApiDocument, type OpenApiDocument, type RouteDoc } from '@latchkey/http';
import { Type } from '@sinclair/typebox';
import {
  Application,
  ApplicationPage,
  ClientParams,
  DisableBody,
  PageQuery,
  RegisteredApplication,
  RegisterApplicationBody,
  RotateSecretBody,
  RotatedSecret,
  UpdateApplicationBody,
} from './registry.schemas';

const ok = (description: string, schema?: Parameters<typeof Type.Array>[0]) => ({
  description,
  ...(schema ? { schema } : {}),
});

/** The public API, documented from the same schemas that validate it (a test checks that every served route is here). */
export const REGISTRY_ROUTES: RouteDoc[] = [
  {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness',
    tags: ['operations'],
    responses: { 200: ok('The process serves HTTP.') },
  },
  {
    method: 'GET',
    path: '/readyz',
    summary: 'Readiness: the token projection has caught up',
    tags: ['operations'],
    responses: { 200: ok('Ready.'), 503: ok('Still catching up.') },
  },
  {
    method: 'POST',
    path: '/v1/applications',
    summary: 'Register an application owned by the X-Account-Id account; the client secret is in this answer only',
    tags: ['applications'],
    scopes: ['applications:create'],
    body: RegisterApplicationBody,
    responses: {
      201: ok('Registered.', RegisteredApplication),
      403: ok('Scope, account or first-party flag beyond what the caller holds.'),
      422: ok('A rule refused it (redirect URI, grant types, lifetimes).'),
    },
  },
  {
    method: 'GET',
    path: '/v1/applications',
    summary: 'Applications of the X-Account-Id account',
    tags: ['applications'],
    scopes: ['applications:read'],
    query: PageQuery,
    responses: { 200: ok('A page of applications.', ApplicationPage) },
  },
  {
    method: 'GET',
    path: '/v1/applications/:clientId',
    summary: 'One application',
    tags: ['applications'],
    scopes: ['applications:read'],
    params: ClientParams,
    responses: { 200: ok('The application (never its secret).', Application) },
  },
  {
    method: 'PATCH',
    path: '/v1/applications/:clientId',
    summary: 'Change some fields (the registration rules apply to the result)',
    tags: ['applications'],
    scopes: ['applications:update'],
    params: ClientParams,
    body: UpdateApplicationBody,
    responses: {
      200: ok('The application.', Application),
      403: ok('Beyond what the caller holds.'),
      422: ok('A rule refused it.'),
    },
  },
  {
    method: 'POST',
    path: '/v1/applications/:clientId/secret',
    summary: 'Rotate the client secret; the previous one works for the overlap',
    tags: ['applications'],
    scopes: ['applications:update'],
    params: ClientParams,
    body: RotateSecretBody,
    responses: {
      201: ok('The new secret, shown once.', RotatedSecret),
      422: ok('Public client, or overlap out of bounds.'),
    },
  },
  {
    method: 'POST',
    path: '/v1/applications/:clientId/disable',
    summary: 'Disable: every token of the application stops working at once',
    tags: ['applications'],
    scopes: ['applications:update'],
    params: ClientParams,
    body: DisableBody,
    responses: { 200: ok('The application.', Application), 409: ok('Already disabled.') },
  },
  {
    method: 'POST',
    path: '/v1/applications/:clientId/enable',
    summary: 'Enable again',
    tags: ['applications'],
    scopes: ['applications:update'],
    params: ClientParams,
    responses: { 200: ok('The application.', Application), 409: ok('Not disabled.') },
  },
  {
    method: 'DELETE',
    path: '/v1/applications/:clientId',
    summary: 'Delete: its tokens stop working; the client id is never reused',
    tags: ['applications'],
    scopes: ['applications:delete'],
    params: ClientParams,
    responses: { 204: ok('Deleted.') },
  },
];

export function registryOpenApi(version: string): OpenApiDocument {
  return buildOpenApiDocument({
    title: 'Latchkey application-registry',
    version,
    description:
      'OAuth 2.0 client applications. Every /v1 route takes `Authorization: Bearer <token>` and `X-Account-Id: <account>`: the token is checked in that account, which owns the applications. Errors are RFC 9457 problem+json (bearer errors RFC 6750).',
    routes: REGISTRY_ROUTES,
  });
}

import { buildOpenApiDocument, type OpenApiDocument, type RouteDoc } from '@latchkey/http';
import { Type } from '@sinclair/typebox';
import {
  AccountParams,
  AccountPatParams,
  AccountUserParams,
  CheckAnswer,
  CheckTokenBody,
  CreatePatBody,
  CreatePatForUserBody,
  NewPat,
  PageQuery,
  Pat,
  PatHistory,
  PatPage,
  PatParams,
  TokenPolicy,
  TokenPolicyBody,
} from './token.schemas';

const ok = (description: string, schema?: Parameters<typeof Type.Array>[0]) => ({ description, ...(schema ? { schema } : {}) });

/** The public API, documented from the same schemas that validate it (a test checks that every served route is here). */
export const TOKEN_ROUTES: RouteDoc[] = [
  { method: 'GET', path: '/healthz', summary: 'Liveness', tags: ['operations'], responses: { 200: ok('The process serves HTTP.') } },
  { method: 'GET', path: '/readyz', summary: 'Readiness: the token projection has caught up', tags: ['operations'], responses: { 200: ok('Ready.'), 503: ok('Still catching up.') } },
  { method: 'POST', path: '/v1/personal-access-tokens', summary: 'Create a personal access token for yourself; the token is in this answer only', tags: ['personal access tokens'], scopes: ['personal_access_tokens:create'], body: CreatePatBody, responses: { 201: ok('Created.', NewPat), 403: ok('Beyond your permissions, your token, or the policy.'), 409: ok('Name taken.'), 422: ok('Lifetime or expiry refused by the policy.') } },
  { method: 'GET', path: '/v1/personal-access-tokens', summary: 'Your personal access tokens (with status and last use)', tags: ['personal access tokens'], scopes: [], query: PageQuery, responses: { 200: ok('A page of tokens.', PatPage) } },
  { method: 'POST', path: '/v1/personal-access-tokens/check', summary: 'Check whether a token is valid (it is only hashed)', tags: ['personal access tokens'], scopes: [], body: CheckTokenBody, responses: { 200: ok('The verdict.', CheckAnswer) } },
  { method: 'GET', path: '/v1/personal-access-tokens/:id', summary: 'One of your tokens', tags: ['personal access tokens'], scopes: [], params: PatParams, responses: { 200: ok('The token (never its secret).', Pat) } },
  { method: 'GET', path: '/v1/personal-access-tokens/:id/events', summary: 'Its history: created, regenerated, revoked, by whom and when', tags: ['personal access tokens'], scopes: [], params: PatParams, responses: { 200: ok('The history.', PatHistory) } },
  { method: 'POST', path: '/v1/personal-access-tokens/:id/regenerate', summary: 'New secret, same settings; the old one stops working at once', tags: ['personal access tokens'], scopes: ['personal_access_tokens:create'], params: PatParams, responses: { 201: ok('The new token, shown once.', NewPat), 409: ok('Revoked tokens cannot be regenerated.') } },
  { method: 'DELETE', path: '/v1/personal-access-tokens/:id', summary: 'Revoke (idempotent)', tags: ['personal access tokens'], scopes: [], params: PatParams, responses: { 204: ok('Revoked.') } },
  { method: 'GET', path: '/v1/accounts/:accountId/personal-access-tokens', summary: 'Tokens that act in the account (administrators)', tags: ['administration'], scopes: ['personal_access_tokens:read'], params: AccountParams, query: PageQuery, responses: { 200: ok('A page of tokens.', PatPage) } },
  { method: 'POST', path: '/v1/accounts/:accountId/users/:userId/personal-access-tokens', summary: 'Create a token for another user (api and contact users included)', tags: ['administration'], scopes: ['personal_access_tokens:create'], params: AccountUserParams, body: CreatePatForUserBody, responses: { 201: ok('Created; the token is in this answer only.', NewPat), 403: ok('Not an administrator, or beyond the user or the contact policy.') } },
  { method: 'DELETE', path: '/v1/accounts/:accountId/personal-access-tokens/:id', summary: 'Revoke a token that acts in the account', tags: ['administration'], scopes: ['personal_access_tokens:delete'], params: AccountPatParams, responses: { 204: ok('Revoked.') } },
  { method: 'GET', path: '/v1/accounts/:accountId/token-policy', summary: 'The account’s token policy', tags: ['administration'], scopes: ['personal_access_tokens:read'], params: AccountParams, responses: { 200: ok('The policy (the default when none was set).', TokenPolicy) } },
  { method: 'PUT', path: '/v1/accounts/:accountId/token-policy', summary: 'Set the policy (applies to tokens created from now on)', tags: ['administration'], scopes: ['accounts:update'], params: AccountParams, body: TokenPolicyBody, responses: { 200: ok('The policy.', TokenPolicy), 422: ok('Invalid policy.') } },
];

export function tokenOpenApi(version: string): OpenApiDocument {
  return buildOpenApiDocument({
    title: 'Latchkey token-service',
    version,
    description:
      'Personal access tokens and account token policies. Every /v1 route takes `Authorization: Bearer <token>`; account routes check the token in the path account. Tokens appear in exactly one answer (creation or regeneration). Errors are RFC 9457 problem+json (bearer errors RFC 6750).',
    routes: TOKEN_ROUTES,
  });
}

import { Type } from '@sinclair/typebox';
import { buildOpenApiDocument, type OpenApiDocument, type RouteDoc } from '@latchkey/http';
import {
  Account,
  AccountParams,
  AccountUserParams,
  ChangeOwnPasswordBody,
  CreateAccountBody,
  DeactivateBody,
  PageOf,
  PageQuery,
  RegisterUserBody,
  Role,
  SetPasswordBody,
  SetRolesBody,
  User,
} from './identity.schemas';

const ok = (description: string, schema?: Parameters<typeof Type.Array>[0]) => ({ description, ...(schema ? { schema } : {}) });

/** The public API, documented from the same schemas that validate it (a test checks that every served route is here). */
export const IDENTITY_ROUTES: RouteDoc[] = [
  { method: 'GET', path: '/healthz', summary: 'Liveness', tags: ['operations'], responses: { 200: ok('The process serves HTTP.') } },
  { method: 'GET', path: '/readyz', summary: 'Readiness: the token projection has caught up', tags: ['operations'], responses: { 200: ok('Ready.'), 503: ok('Still catching up.') } },
  { method: 'GET', path: '/v1/roles', summary: 'Built-in roles and their permissions', tags: ['roles'], scopes: [], responses: { 200: ok('The roles.', Type.Object({ recordTypes: Type.Array(Type.String()), items: Type.Array(Role) })) } },
  { method: 'GET', path: '/v1/me', summary: 'The calling user', tags: ['me'], scopes: [], responses: { 200: ok('The user.', User) } },
  { method: 'PUT', path: '/v1/me/password', summary: 'Change your own password (the current one is checked like a login)', tags: ['me'], scopes: [], body: ChangeOwnPasswordBody, responses: { 204: ok('Changed.'), 422: ok('The new password breaks the policy.') } },
  { method: 'GET', path: '/v1/accounts', summary: 'Accounts the calling token may act in', tags: ['accounts'], scopes: [], query: PageQuery, responses: { 200: ok('A page of accounts.', PageOf(Account)) } },
  { method: 'GET', path: '/v1/accounts/:accountId', summary: 'One account', tags: ['accounts'], scopes: ['accounts:read'], params: AccountParams, responses: { 200: ok('The account.', Account) } },
  { method: 'GET', path: '/v1/accounts/:accountId/accounts', summary: 'Standard accounts under a directory account', tags: ['accounts'], scopes: ['accounts:read'], params: AccountParams, query: PageQuery, responses: { 200: ok('A page of accounts.', PageOf(Account)) } },
  { method: 'POST', path: '/v1/accounts/:accountId/accounts', summary: 'Create a standard account under a directory account (a human caller becomes its account_admin)', tags: ['accounts'], scopes: ['accounts:create'], params: AccountParams, body: CreateAccountBody, responses: { 201: ok('Created.', Account), 409: ok('Conflict.'), 422: ok('The parent is not a directory account.') } },
  { method: 'POST', path: '/v1/accounts/:accountId/users', summary: 'Register a user (human, api or contact) in the account', tags: ['users'], scopes: ['users:create'], params: AccountParams, body: RegisterUserBody, responses: { 201: ok('Registered.', User), 409: ok('E-mail taken.'), 422: ok('Role unknown or not allowed for the kind, e-mail missing, password refused.') } },
  { method: 'GET', path: '/v1/accounts/:accountId/users', summary: 'Members of the account', tags: ['users'], scopes: ['users:read'], params: AccountParams, query: PageQuery, responses: { 200: ok('A page of users.', PageOf(User)) } },
  { method: 'GET', path: '/v1/accounts/:accountId/users/:userId', summary: 'One member', tags: ['users'], scopes: ['users:read'], params: AccountUserParams, responses: { 200: ok('The user.', User) } },
  { method: 'PUT', path: '/v1/accounts/:accountId/users/:userId/roles', summary: "Set the user's roles in the account (adds the membership if new)", tags: ['users'], scopes: ['users:update'], params: AccountUserParams, body: SetRolesBody, responses: { 200: ok('The user.', User), 409: ok('User deactivated.'), 422: ok('Role unknown or not allowed for the kind.') } },
  { method: 'DELETE', path: '/v1/accounts/:accountId/users/:userId/roles', summary: 'Remove the user from the account', tags: ['users'], scopes: ['users:update'], params: AccountUserParams, responses: { 204: ok('Removed.') } },
  { method: 'POST', path: '/v1/accounts/:accountId/users/:userId/deactivate', summary: 'Deactivate the user (from their home account): every token of theirs stops working', tags: ['users'], scopes: ['users:update'], params: AccountUserParams, body: DeactivateBody, responses: { 200: ok('The user.', User), 409: ok('Already deactivated.') } },
  { method: 'POST', path: '/v1/accounts/:accountId/users/:userId/reactivate', summary: 'Reactivate the user (revoked grants stay revoked)', tags: ['users'], scopes: ['users:update'], params: AccountUserParams, responses: { 200: ok('The user.', User), 409: ok('Not deactivated.') } },
  { method: 'PUT', path: '/v1/accounts/:accountId/users/:userId/password', summary: 'Set a human or contact user’s password (from their home account)', tags: ['users'], scopes: ['users:update'], params: AccountUserParams, body: SetPasswordBody, responses: { 204: ok('Set.'), 422: ok('Policy or user kind refuses it.') } },
];

export function identityOpenApi(version: string): OpenApiDocument {
  return buildOpenApiDocument({
    title: 'Latchkey identity-service',
    version,
    description:
      'Accounts, users, roles and memberships. Every /v1 route takes `Authorization: Bearer <lk_pat_… or lk_at_…>`; account-scoped routes check the token in the path account. Errors are RFC 9457 problem+json (bearer errors RFC 6750).',
    routes: IDENTITY_ROUTES,
  });
}

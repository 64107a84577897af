import { buildOpenApiDocument, toOpenApiPath, type OpenApiDocument, type RouteDoc } from '@latchkey/http';
import { Type } from '@sinclair/typebox';
import { SCOPES } from '../domain/permissions';
import {
  AccountParams,
  AccountPatParams,
  AccountGrantParams,
  AccountUserParams,
  CheckAnswer,
  GrantParams,
  SessionParams,
  CheckTokenBody,
  CreatePatBody,
  CreatePatForUserBody,
  NewPat,
  PageQuery,
  Pat,
  PatHistory,
  PatPage,
  PatParams,
  RegeneratePatBody,
  TokenPolicy,
  TokenPolicyBody,
} from './token.schemas';

const ok = (description: string, schema?: Parameters<typeof Type.Array>[0]) => ({
  description,
  ...(schema ? { schema } : {}),
});

const REGENERATE =
  'A regeneration is a creation: it is checked against the user’s current permissions, the calling token and the accounts’ policies as they are now. The body is optional: without an expiry, the new token keeps the lifetime length of the current one, counted from now.';

/** Routes whose body may be left out entirely (OpenAPI `requestBody.required: false`). */
const OPTIONAL_BODY = new Set([
  'POST /v1/personal-access-tokens/:id/regenerate',
  'POST /v1/accounts/:accountId/personal-access-tokens/:id/regenerate',
]);

/** Routes whose body is a form (RFC 6749), not JSON. */
const FORM_BODY = new Set([
  'POST /oauth/token',
  'POST /oauth/revoke',
  'POST /oauth/introspect',
  'POST /oauth/interaction/:id/login',
  'POST /oauth/interaction/:id/consent',
  'POST /oauth/par',
  'POST /oauth/logout',
]);
const InteractionParams = Type.Object({ id: Type.String() });
const LoginForm = Type.Object(
  { csrf: Type.String(), email: Type.String(), password: Type.String() },
  { additionalProperties: false },
);
const ConsentForm = Type.Object(
  {
    csrf: Type.String(),
    decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
    account: Type.Optional(Type.String({ description: 'An account to allow (repeat the field for several).' })),
  },
  { additionalProperties: false },
);

const TokenRequest = Type.Object(
  {
    grant_type: Type.Union([
      Type.Literal('authorization_code'),
      Type.Literal('refresh_token'),
      Type.Literal('client_credentials'),
    ]),
    code: Type.Optional(Type.String({ description: 'authorization_code: the code from the redirect.' })),
    redirect_uri: Type.Optional(
      Type.String({ description: 'authorization_code: exactly as in the authorization request.' }),
    ),
    code_verifier: Type.Optional(Type.String({ description: 'authorization_code: the PKCE verifier (S256).' })),
    refresh_token: Type.Optional(
      Type.String({ description: 'refresh_token: the current refresh token (rotated on use).' }),
    ),
    scope: Type.Optional(
      Type.String({ description: 'refresh_token / client_credentials: space-separated, may only narrow.' }),
    ),
    client_id: Type.Optional(Type.String({ description: 'client_secret_post, or a public client (none).' })),
    client_secret: Type.Optional(Type.String({ description: 'client_secret_post (or use HTTP Basic).' })),
  },
  { additionalProperties: true },
);
const TokenAnswer = Type.Object({
  access_token: Type.String({ description: '`lk_at_…`' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds (the application’s access-token lifetime).' }),
  refresh_token: Type.Optional(Type.String({ description: '`lk_rt_…`; a new one on every refresh.' })),
  scope: Type.String(),
});
const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() });

const Authorization = Type.Object({
  grantId: Type.String(),
  kind: Type.Union([Type.Literal('authorization'), Type.Literal('client')]),
  userId: Type.Union([Type.String(), Type.Null()]),
  application: Type.Object({
    clientId: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
    ownerAccountId: Type.Union([Type.String(), Type.Null()]),
  }),
  scopes: Type.Array(Type.String()),
  accountIds: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const PushedRequest = Type.Object(
  {
    response_type: Type.Literal('code'),
    redirect_uri: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String()),
    state: Type.Optional(Type.String()),
    code_challenge: Type.String(),
    code_challenge_method: Type.Literal('S256'),
    client_id: Type.Optional(Type.String({ description: 'client_secret_post, or a public client (none).' })),
    client_secret: Type.Optional(Type.String({ description: 'client_secret_post (or use HTTP Basic).' })),
  },
  { additionalProperties: true, description: 'The authorization request’s parameters, and the client’s credentials.' },
);
const PushedAnswer = Type.Object({
  request_uri: Type.String({ description: '`urn:ietf:params:oauth:request_uri:…`, one-time.' }),
  expires_in: Type.Integer({ description: 'Seconds (60).' }),
});
const LogoutForm = Type.Object({ csrf: Type.String() }, { additionalProperties: false });
const LoginSession = Type.Object({
  sessionId: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  userAgent: Type.Union([Type.String(), Type.Null()]),
});
const LoginSessionPage = Type.Object({
  items: Type.Array(LoginSession),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
const AuthorizationPage = Type.Object({
  items: Type.Array(Authorization),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const TokenParam = Type.Object(
  {
    token: Type.String({ description: 'The access or refresh token.' }),
    token_type_hint: Type.Optional(Type.Union([Type.Literal('access_token'), Type.Literal('refresh_token')])),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const IntrospectionAnswer = Type.Object({
  active: Type.Boolean(),
  scope: Type.Optional(
    Type.String({ description: 'What the token may do now (its scopes ∩ the application’s ∩ the user’s).' }),
  ),
  client_id: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.String()),
  exp: Type.Optional(Type.Integer()),
  sub: Type.Optional(Type.String()),
});

/** The public API, documented from the same schemas that validate it (a test checks that every served route is here). */
export const TOKEN_ROUTES: RouteDoc[] = [
  {
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    summary: 'Authorization server metadata (RFC 8414)',
    tags: ['oauth'],
    responses: { 200: ok('The issuer, the endpoints and what they support.') },
  },
  {
    method: 'GET',
    path: '/oauth/authorize',
    summary:
      'Authorization endpoint (RFC 6749 §3.1): authorization code with PKCE S256 only; errors before the client and redirect URI are trusted are a page, after that a redirect with iss (RFC 9207)',
    tags: ['oauth'],
    responses: { 303: ok('To the interaction page, or back to the client with an error.'), 400: ok('An error page.') },
  },
  {
    method: 'GET',
    path: '/oauth/interaction/:id',
    summary: 'The login page, or the consent page, of an authorization request started in this browser',
    tags: ['oauth'],
    params: InteractionParams,
    responses: {
      200: ok('A page.'),
      303: ok('Back to the client (remembered consent, first-party).'),
      400: ok('An error page.'),
    },
  },
  {
    method: 'POST',
    path: '/oauth/interaction/:id/login',
    summary: 'Sign in (checked by identity-service); 303 to the interaction page',
    tags: ['oauth'],
    params: InteractionParams,
    body: LoginForm,
    responses: { 303: ok('To the interaction page.'), 403: ok('The form’s CSRF token is wrong or expired.') },
  },
  {
    method: 'POST',
    path: '/oauth/interaction/:id/consent',
    summary: 'Allow or Deny; 303 back to the client with a code (and state, iss) or error=access_denied',
    tags: ['oauth'],
    params: InteractionParams,
    body: ConsentForm,
    responses: { 303: ok('Back to the client.'), 403: ok('The form’s CSRF token is wrong or expired.') },
  },
  {
    method: 'GET',
    path: '/oauth/assets/latchkey.css',
    summary: 'The pages’ stylesheet',
    tags: ['oauth'],
    responses: { 200: ok('CSS.') },
  },
  {
    method: 'GET',
    path: '/v1/me/authorizations',
    summary: 'Access & Security: the applications you authorized (name, owner, scopes, accounts, when, last used)',
    tags: ['authorizations'],
    scopes: [SCOPES.grants.read],
    query: PageQuery,
    responses: { 200: ok('A page of live authorizations, oldest first.', AuthorizationPage) },
  },
  {
    method: 'DELETE',
    path: '/v1/me/authorizations/:grantId',
    summary: 'Revoke an application’s authorization: every token of it is refused everywhere at once',
    tags: ['authorizations'],
    scopes: [SCOPES.grants.delete],
    params: GrantParams,
    responses: { 204: ok('Revoked.'), 404: ok('No such live authorization of yours.') },
  },
  {
    method: 'GET',
    path: '/v1/me/sessions',
    summary: 'Access & Security: where you are signed in to the authorization server (live login sessions)',
    tags: ['authorizations'],
    scopes: [SCOPES.grants.read],
    query: PageQuery,
    responses: { 200: ok('A page of live sessions, oldest first.', LoginSessionPage) },
  },
  {
    method: 'DELETE',
    path: '/v1/me/sessions/:sessionId',
    summary: 'Sign a session out: that browser must sign in again before it can authorize anything',
    tags: ['authorizations'],
    scopes: [SCOPES.grants.delete],
    params: SessionParams,
    responses: { 204: ok('Signed out.'), 404: ok('No such live session of yours.') },
  },
  {
    method: 'POST',
    path: '/oauth/par',
    summary:
      'Pushed authorization request (RFC 9126): the client authenticates and pushes its request; the answer’s request_uri goes to /oauth/authorize with client_id',
    tags: ['oauth'],
    body: PushedRequest,
    responses: {
      201: ok('A one-time request_uri; `Cache-Control: no-store`.', PushedAnswer),
      400: ok('The request as /oauth/authorize would refuse it (RFC 6749 §4.1.2.1 codes).', OAuthErrorBody),
      401: ok('`invalid_client`.', OAuthErrorBody),
    },
  },
  {
    method: 'GET',
    path: '/oauth/logout',
    summary: 'The sign-out page (a button), or “signed out”',
    tags: ['oauth'],
    responses: { 200: ok('A page.') },
  },
  {
    method: 'POST',
    path: '/oauth/logout',
    summary: 'Sign this browser out of the authorization server (its session ends server-side)',
    tags: ['oauth'],
    body: LogoutForm,
    responses: { 303: ok('To the signed-out page.'), 403: ok('The form’s CSRF token is wrong.') },
  },
  {
    method: 'GET',
    path: '/v1/accounts/:accountId/grants',
    summary: 'The OAuth grants that may act in an account (authorizations and client grants), for its administrators',
    tags: ['authorizations'],
    scopes: [SCOPES.account.read],
    params: AccountParams,
    query: PageQuery,
    responses: { 200: ok('A page of live grants, oldest first.', AuthorizationPage) },
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/:accountId/grants/:grantId',
    summary: 'Revoke an OAuth grant acting in the account',
    tags: ['authorizations'],
    scopes: [SCOPES.account.delete],
    params: AccountGrantParams,
    responses: { 204: ok('Revoked.'), 404: ok('No such live grant in this account.') },
  },
  {
    method: 'POST',
    path: '/oauth/revoke',
    summary: 'OAuth 2.0 revocation (RFC 7009): a client revokes its own token; a refresh token ends its whole grant',
    tags: ['oauth'],
    body: TokenParam,
    responses: {
      200: ok('Done, or nothing to do (unknown, revoked or another client’s token): the same answer.'),
      400: ok('`invalid_request` or `unsupported_token_type`.', OAuthErrorBody),
      401: ok('`invalid_client`.', OAuthErrorBody),
    },
  },
  {
    method: 'POST',
    path: '/oauth/introspect',
    summary: 'OAuth 2.0 introspection (RFC 7662) for clients: their own tokens only',
    tags: ['oauth'],
    body: TokenParam,
    responses: {
      200: ok(
        'The token’s state; exactly `{"active": false}` when unknown, another client’s, revoked or expired.',
        IntrospectionAnswer,
      ),
      400: ok('`invalid_request`.', OAuthErrorBody),
      401: ok('`invalid_client`.', OAuthErrorBody),
    },
  },
  {
    method: 'POST',
    path: '/oauth/token',
    summary:
      'OAuth 2.0 token endpoint (RFC 6749 §3.2): authorization_code with PKCE, refresh_token (rotated on every use), client_credentials',
    tags: ['oauth'],
    body: TokenRequest,
    responses: {
      200: ok('Tokens; `Cache-Control: no-store`.', TokenAnswer),
      400: ok(
        'RFC 6749 §5.2 error (`invalid_request`, `invalid_grant`, `invalid_scope`, `unsupported_grant_type`, `unauthorized_client`).',
        OAuthErrorBody,
      ),
      401: ok('`invalid_client` (with a Basic challenge when HTTP Basic was used).', OAuthErrorBody),
    },
  },
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
    path: '/v1/personal-access-tokens',
    summary: 'Create a personal access token for yourself; the token is in this answer only',
    tags: ['personal access tokens'],
    scopes: [SCOPES.own.create],
    body: CreatePatBody,
    responses: {
      201: ok('Created.', NewPat),
      403: ok('Beyond your permissions, your token, or the policy.'),
      409: ok('Name taken.'),
      422: ok('Lifetime or expiry refused by the policy.'),
    },
  },
  {
    method: 'GET',
    path: '/v1/personal-access-tokens',
    summary: 'Your personal access tokens (with status and last use)',
    tags: ['personal access tokens'],
    scopes: [SCOPES.own.read],
    query: PageQuery,
    responses: { 200: ok('A page of tokens.', PatPage) },
  },
  {
    method: 'POST',
    path: '/v1/personal-access-tokens/check',
    summary: 'Check whether a token is valid (it is only hashed)',
    tags: ['personal access tokens'],
    scopes: [SCOPES.own.read],
    body: CheckTokenBody,
    responses: { 200: ok('The verdict.', CheckAnswer) },
  },
  {
    method: 'GET',
    path: '/v1/personal-access-tokens/:id',
    summary: 'One of your tokens',
    tags: ['personal access tokens'],
    scopes: [SCOPES.own.read],
    params: PatParams,
    responses: { 200: ok('The token (never its secret).', Pat) },
  },
  {
    method: 'GET',
    path: '/v1/personal-access-tokens/:id/events',
    summary: 'Its history: created, regenerated, revoked, by whom and when',
    tags: ['personal access tokens'],
    scopes: [SCOPES.own.read],
    params: PatParams,
    responses: { 200: ok('The history.', PatHistory) },
  },
  {
    method: 'POST',
    path: '/v1/personal-access-tokens/:id/regenerate',
    summary: 'New secret, same settings; the old one stops working at once',
    description: REGENERATE,
    tags: ['personal access tokens'],
    scopes: [SCOPES.own.create],
    params: PatParams,
    body: RegeneratePatBody,
    responses: {
      201: ok('The new token, shown once.', NewPat),
      403: ok('Beyond your permissions, your token, or the policy; api users get theirs from an administrator.'),
      409: ok('Revoked tokens cannot be regenerated.'),
      422: ok('Lifetime or expiry refused by the policy.'),
    },
  },
  {
    method: 'DELETE',
    path: '/v1/personal-access-tokens/:id',
    summary: 'Revoke (idempotent)',
    tags: ['personal access tokens'],
    scopes: [SCOPES.own.delete],
    params: PatParams,
    responses: { 204: ok('Revoked.') },
  },
  {
    method: 'GET',
    path: '/v1/accounts/:accountId/personal-access-tokens',
    summary: 'Tokens that act in the account (administrators)',
    tags: ['administration'],
    scopes: [SCOPES.account.read],
    params: AccountParams,
    query: PageQuery,
    responses: { 200: ok('A page of tokens.', PatPage) },
  },
  {
    method: 'GET',
    path: '/v1/accounts/:accountId/personal-access-tokens/:id/events',
    summary: 'The history of a token that acts in the account: created, regenerated, revoked, by whom and when',
    tags: ['administration'],
    scopes: [SCOPES.account.read],
    params: AccountPatParams,
    responses: { 200: ok('The history.', PatHistory), 404: ok('No such token in this account.') },
  },
  {
    method: 'POST',
    path: '/v1/accounts/:accountId/users/:userId/personal-access-tokens',
    summary: 'Create a token for another user of the account (api, contact and human users)',
    description:
      'Needs `account_tokens:create` in every account of the new token, and the new token never exceeds the administrator’s own token. A user who is not a member of the account answers as an unknown one.',
    tags: ['administration'],
    scopes: [SCOPES.account.create],
    params: AccountUserParams,
    body: CreatePatForUserBody,
    responses: {
      201: ok('Created; the token is in this answer only.', NewPat),
      403: ok(
        'Not an administrator of every account of the token, or beyond your token, the user or the contact policy.',
      ),
      404: ok('No such user in this account.'),
    },
  },
  {
    method: 'POST',
    path: '/v1/accounts/:accountId/personal-access-tokens/:id/regenerate',
    summary: 'New secret for a token that acts in the account (e.g. an api user’s); the old one stops working at once',
    description: `${REGENERATE} For another user's token, needs \`account_tokens:create\` in every account of the token, and the token's scopes must be within the administrator's own token.`,
    tags: ['administration'],
    scopes: [SCOPES.account.create],
    params: AccountPatParams,
    body: RegeneratePatBody,
    responses: {
      201: ok('The new token, shown once.', NewPat),
      403: ok('Not an administrator of every account of the token, or beyond your token, the user or the policy.'),
      404: ok('No such token in this account.'),
      409: ok('Revoked tokens cannot be regenerated.'),
      422: ok('Lifetime or expiry refused by the policy.'),
    },
  },
  {
    method: 'DELETE',
    path: '/v1/accounts/:accountId/personal-access-tokens/:id',
    summary: 'Revoke a token that acts in the account',
    tags: ['administration'],
    scopes: [SCOPES.account.delete],
    params: AccountPatParams,
    responses: { 204: ok('Revoked.') },
  },
  {
    method: 'GET',
    path: '/v1/accounts/:accountId/token-policy',
    summary: 'The account’s token policy (members may read it: it says how long their tokens may live)',
    tags: ['administration'],
    scopes: [SCOPES.own.read],
    params: AccountParams,
    responses: { 200: ok('The policy (the default when none was set).', TokenPolicy) },
  },
  {
    method: 'PUT',
    path: '/v1/accounts/:accountId/token-policy',
    summary: 'Set the policy (applies to tokens created or regenerated from now on)',
    tags: ['administration'],
    scopes: [SCOPES.account.update],
    params: AccountParams,
    body: TokenPolicyBody,
    responses: { 200: ok('The policy.', TokenPolicy), 422: ok('Invalid policy.') },
  },
];

export function tokenOpenApi(version: string): OpenApiDocument {
  const doc = buildOpenApiDocument({
    title: 'Latchkey token-service',
    version,
    description:
      'Personal access tokens, account token policies and the OAuth 2.0 token endpoint. Every /v1 route takes `Authorization: Bearer <token>`; account routes check the token in the path account. Tokens appear in exactly one answer (creation or regeneration). Errors are RFC 9457 problem+json (bearer errors RFC 6750).',
    routes: TOKEN_ROUTES,
  });
  for (const key of OPTIONAL_BODY) {
    const [method, path] = key.split(' ');
    const operation = doc.paths[toOpenApiPath(path)]?.[method.toLowerCase()];
    if (operation?.requestBody === undefined) throw new Error(`${key}: no such route with a body`);
    operation.requestBody.required = false;
  }
  for (const key of FORM_BODY) {
    const [method, path] = key.split(' ');
    const operation = doc.paths[toOpenApiPath(path)]?.[method.toLowerCase()];
    const content = operation?.requestBody?.content as Record<string, unknown> | undefined;
    if (!content?.['application/json']) throw new Error(`${key}: no such route with a body`);
    content['application/x-www-form-urlencoded'] = content['application/json'];
    delete content['application/json'];
  }
  return doc;
}

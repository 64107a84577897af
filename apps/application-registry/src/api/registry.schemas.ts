import { Type, type Static } from '@sinclair/typebox';
import { Name, PageQuery, Uuid } from '@latchkey/http';

// Request and response shapes of the public API: they validate requests and document the API
// (registry.routes.ts). Shape only; the rules (redirect URI forms, scope ceiling, limits) are the
// application decider's, answered 422/403 with their own codes.

const RedirectUri = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'Absolute https URI (http only for loopback), no fragment, no wildcard; matched exactly.',
});
const ScopeString = Type.String({
  minLength: 3,
  maxLength: 200,
  pattern: '^[a-z][a-z0-9_]*:(create|read|update|delete|\\*)$',
});
const GrantType = Type.Union([
  Type.Literal('authorization_code'),
  Type.Literal('refresh_token'),
  Type.Literal('client_credentials'),
]);
const Ttl = Type.Integer({ minimum: 1, maximum: 31_536_000 });

export const ClientParams = Type.Object({ clientId: Uuid }, { additionalProperties: false });
export { PageQuery };
export type PageQueryT = Static<typeof PageQuery>;

export const RegisterApplicationBody = Type.Object(
  {
    name: Name(200),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    clientType: Type.Union([Type.Literal('confidential'), Type.Literal('public')]),
    redirectUris: Type.Array(RedirectUri, { maxItems: 100 }),
    grantTypes: Type.Array(GrantType, { minItems: 1, maxItems: 3 }),
    allowedScopes: Type.Array(ScopeString, { maxItems: 200 }),
    accountIds: Type.Optional(
      Type.Array(Uuid, {
        minItems: 1,
        maxItems: 100,
        description: 'Accounts the application may act in (default: the owner account).',
      }),
    ),
    accessTokenTtlSeconds: Type.Optional(Ttl),
    refreshTokenTtlSeconds: Type.Optional(Ttl),
    firstParty: Type.Optional(Type.Boolean({ description: 'Skip the consent page (account administrators only).' })),
    requirePushedAuthorizationRequests: Type.Optional(
      Type.Boolean({
        description: 'Refuse authorization requests not pushed first to /oauth/par (RFC 9126). Default false.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RegisterApplicationBodyT = Static<typeof RegisterApplicationBody>;

export const UpdateApplicationBody = Type.Object(
  {
    name: Type.Optional(Name(200)),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    redirectUris: Type.Optional(Type.Array(RedirectUri, { maxItems: 100 })),
    grantTypes: Type.Optional(Type.Array(GrantType, { minItems: 1, maxItems: 3 })),
    allowedScopes: Type.Optional(Type.Array(ScopeString, { maxItems: 200 })),
    accountIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 100 })),
    accessTokenTtlSeconds: Type.Optional(Ttl),
    refreshTokenTtlSeconds: Type.Optional(Ttl),
    firstParty: Type.Optional(Type.Boolean()),
    requirePushedAuthorizationRequests: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateApplicationBodyT = Static<typeof UpdateApplicationBody>;

export const RotateSecretBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 31_536_000,
        description: 'How long the previous secret keeps working (default 24 h, at most 7 days; 0 = at once).',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RotateSecretBodyT = Static<typeof RotateSecretBody>;

export const DisableBody = Type.Object({ reason: Type.Optional(Name(500)) }, { additionalProperties: false });
export type DisableBodyT = Static<typeof DisableBody>;

// ---- responses ------------------------------------------------------------------------------

export const Application = Type.Object({
  clientId: Uuid,
  ownerAccountId: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  clientType: Type.Union([Type.Literal('confidential'), Type.Literal('public')]),
  redirectUris: Type.Array(Type.String()),
  grantTypes: Type.Array(Type.String()),
  allowedScopes: Type.Array(Type.String()),
  accountIds: Type.Array(Type.String()),
  accessTokenTtlSeconds: Type.Integer(),
  refreshTokenTtlSeconds: Type.Integer(),
  firstParty: Type.Boolean(),
  requirePushedAuthorizationRequests: Type.Boolean(),
  status: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]),
  secretRotatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  previousSecretValidUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const RegisteredApplication = Type.Intersect([
  Application,
  Type.Object({
    clientSecret: Type.Union([
      Type.String({ description: '`lk_cs_…`, shown this once; only its SHA-256 is kept.' }),
      Type.Null(),
    ]),
  }),
]);

export const RotatedSecret = Type.Object({
  clientId: Uuid,
  clientSecret: Type.String({ description: 'The new `lk_cs_…`, shown this once.' }),
  previousSecretValidUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const ApplicationPage = Type.Object({
  items: Type.Array(Application),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

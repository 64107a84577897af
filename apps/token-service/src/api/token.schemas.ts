import { Type, type Static } from '@sinclair/typebox';
import { Name, PageQuery, Uuid } from '@latchkey/http';

// Request and response shapes of the public API: they validate requests and document the API
// (token.routes.ts). Shape only; the rules (scopes held, policy, lifetime) are the PAT decider's.

const ScopeString = Type.String({
  minLength: 3,
  maxLength: 200,
  pattern: '^[a-z][a-z0-9_]*:(create|read|update|delete|\\*)$',
});

export const PatParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export const AccountParams = Type.Object({ accountId: Uuid }, { additionalProperties: false });
export const AccountPatParams = Type.Object({ accountId: Uuid, id: Uuid }, { additionalProperties: false });
export const AccountUserParams = Type.Object({ accountId: Uuid, userId: Uuid }, { additionalProperties: false });
export const GrantParams = Type.Object({ grantId: Uuid }, { additionalProperties: false });
export const SessionParams = Type.Object({ sessionId: Uuid }, { additionalProperties: false });
export const AccountGrantParams = Type.Object({ accountId: Uuid, grantId: Uuid }, { additionalProperties: false });
export { PageQuery };
export type PageQueryT = Static<typeof PageQuery>;

const expiryFields = {
  expiresAt: Type.Optional(
    Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description:
        'When it expires; null = never (if the account policy allows). Give this or expiresInDays, or neither for no expiry.',
    }),
  ),
  expiresInDays: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 3650, description: 'Expires this many days from now.' }),
  ),
};

const patFields = {
  name: Name(100),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  scopes: Type.Array(ScopeString, { minItems: 1, maxItems: 100, uniqueItems: true }),
  ...expiryFields,
};

export const CreatePatBody = Type.Object(
  {
    ...patFields,
    accountIds: Type.Array(Uuid, {
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      description: 'Accounts the token may act in.',
    }),
  },
  { additionalProperties: false },
);
export type CreatePatBodyT = Static<typeof CreatePatBody>;

export const CreatePatForUserBody = Type.Object(
  {
    ...patFields,
    accountIds: Type.Optional(
      Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Default: the path account.' }),
    ),
  },
  { additionalProperties: false },
);
export type CreatePatForUserBodyT = Static<typeof CreatePatForUserBody>;

/** Optional (no body at all = `{}`): without an expiry, the new token keeps the lifetime length of the current one. */
export const RegeneratePatBody = Type.Object(
  {
    expiresAt: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
        description:
          'When the new token expires; null = never (if the account policies allow). Give this or expiresInDays; neither keeps the current lifetime length, counted from now.',
      }),
    ),
    expiresInDays: expiryFields.expiresInDays,
  },
  { additionalProperties: false },
);
export type RegeneratePatBodyT = Static<typeof RegeneratePatBody>;

export const CheckTokenBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type CheckTokenBodyT = Static<typeof CheckTokenBody>;

export const TokenPolicyBody = Type.Object(
  {
    whoMayCreate: Type.Union([Type.Literal('everyone'), Type.Literal('administrators')]),
    maxLifetimeDays: Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()]),
    contactScopes: Type.Array(ScopeString, { maxItems: 100, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type TokenPolicyBodyT = Static<typeof TokenPolicyBody>;

export const IntrospectBody = Type.Object(
  { token_hash: Type.String({ minLength: 43, maxLength: 43, pattern: '^[A-Za-z0-9_-]{43}$' }) },
  { additionalProperties: false },
);
export type IntrospectBodyT = Static<typeof IntrospectBody>;

// ---- responses ------------------------------------------------------------------------------

export const Pat = Type.Object({
  id: Uuid,
  userId: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  displayPrefix: Type.String({ description: 'Safe to show: `lk_pat_` and 4 characters.' }),
  scopes: Type.Array(Type.String()),
  accountIds: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  issuedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});
export const NewPat = Type.Intersect([
  Pat,
  Type.Object({
    token: Type.String({ description: 'The `lk_pat_…` token, shown this once; only its SHA-256 is kept.' }),
  }),
]);
export const PatPage = Type.Object({ items: Type.Array(Pat), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export const PatHistory = Type.Object({
  items: Type.Array(
    Type.Object({
      type: Type.String(),
      at: Type.String({ format: 'date-time' }),
      actor: Type.Union([Type.String(), Type.Null()]),
      tokenId: Type.Optional(Type.String()),
      reason: Type.Optional(Type.String()),
    }),
  ),
});
export const CheckAnswer = Type.Object({
  active: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  effectiveScopes: Type.Optional(Type.Array(Type.String())),
  expiresAt: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export const TokenPolicy = Type.Object({
  accountId: Type.String(),
  whoMayCreate: Type.String(),
  maxLifetimeDays: Type.Union([Type.Integer(), Type.Null()]),
  contactScopes: Type.Array(Type.String()),
});

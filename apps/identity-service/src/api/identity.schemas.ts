import { Type, type Static } from '@sinclair/typebox';
import { Email, Name, PageQuery, Uuid } from '@latchkey/http';

// Request and response shapes of the public API: they validate requests and document the API
// (identity.routes.ts), so the two cannot drift apart.

const RoleName = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,99}$',
  description: 'A role name (GET /v1/roles lists them).',
});
const Roles = Type.Array(RoleName, { maxItems: 20, uniqueItems: true });
/** Passwords are only length-checked here; the policy (12–256 characters) answers 422 with its own code. */
const Password = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'At least 12 and at most 256 characters; never echoed, logged or stored in clear.',
});

export const AccountParams = Type.Object({ accountId: Uuid }, { additionalProperties: false });
export const AccountUserParams = Type.Object({ accountId: Uuid, userId: Uuid }, { additionalProperties: false });
export { PageQuery };
export type PageQueryT = Static<typeof PageQuery>;

export const CreateAccountBody = Type.Object({ name: Name(200) }, { additionalProperties: false });
export type CreateAccountBodyT = Static<typeof CreateAccountBody>;

export const RegisterUserBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('human'), Type.Literal('api'), Type.Literal('contact')]),
    email: Type.Optional(Email),
    displayName: Name(200),
    roles: Type.Array(RoleName, { minItems: 1, maxItems: 20, uniqueItems: true }),
    password: Type.Optional(Password),
  },
  { additionalProperties: false },
);
export type RegisterUserBodyT = Static<typeof RegisterUserBody>;

export const SetRolesBody = Type.Object({ roles: Roles }, { additionalProperties: false });
export type SetRolesBodyT = Static<typeof SetRolesBody>;

export const DeactivateBody = Type.Object({ reason: Name(500) }, { additionalProperties: false });
export type DeactivateBodyT = Static<typeof DeactivateBody>;

export const SetPasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
export type SetPasswordBodyT = Static<typeof SetPasswordBody>;

export const ChangeOwnPasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);
export type ChangeOwnPasswordBodyT = Static<typeof ChangeOwnPasswordBody>;

export const FirstSignInBody = Type.Object(
  {
    code: Type.String({ minLength: 20, maxLength: 100, description: 'The code of the first sign-in link.' }),
    password: Password,
  },
  { additionalProperties: false },
);
export type FirstSignInBodyT = Static<typeof FirstSignInBody>;

export const LoginCheckBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    clientAddress: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "The end user's address as token-service saw it (per-address lockout).",
      }),
    ),
  },
  { additionalProperties: false },
);
export type LoginCheckBodyT = Static<typeof LoginCheckBody>;

// ---- responses ------------------------------------------------------------------------------

export const Account = Type.Object({
  accountId: Uuid,
  name: Type.String(),
  kind: Type.Union([Type.Literal('directory'), Type.Literal('standard')]),
  parentAccountId: Type.Union([Uuid, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const Membership = Type.Object({
  accountId: Uuid,
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
});

export const User = Type.Object({
  userId: Uuid,
  kind: Type.Union([Type.Literal('human'), Type.Literal('api'), Type.Literal('contact')]),
  email: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
  homeAccountId: Uuid,
  memberships: Type.Array(Membership, {
    description:
      "Under /v1/accounts/{accountId}/…: the membership in that account only (never the user's other accounts). Under /v1/me: all of the caller's.",
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({
    format: 'date-time',
    description:
      "The latest change the answer can see: the user's own (registration, status) or, under an account, that account's membership; under /v1/me, any change.",
  }),
});

export const PageOf = (item: ReturnType<typeof Type.Object>) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last.',
    }),
  });

export const Role = Type.Object({
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(Type.String()),
  allowedKinds: Type.Array(Type.String()),
});

export const LoginCheckAnswer = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    userId: Uuid,
    kind: Type.Union([Type.Literal('human'), Type.Literal('contact')]),
  }),
  Type.Object({
    ok: Type.Literal(false),
    reason: Type.Union([Type.Literal('invalid_credentials'), Type.Literal('locked')]),
  }),
]);

import { Type, type Static } from '@sinclair/typebox';
import { Topics } from '../topics';
import { Scope } from '../scopes';
import { Id, StringEnum, Text } from '../schemas/primitives';
import { defineEvent } from './define-event';

export const ACCOUNT_KINDS = ['directory', 'standard'] as const;
export const AccountKind = StringEnum(ACCOUNT_KINDS, {
  description: '`directory` groups accounts (e.g. the organisation); `standard` holds business records.',
});
export type AccountKind = Static<typeof AccountKind>;

export const USER_KINDS = ['human', 'api', 'contact'] as const;
export const UserKind = StringEnum(USER_KINDS, {
  description:
    '`human` logs in; `api` never logs in (admins give it tokens); `contact` is external, limited by the contact policy.',
});
export type UserKind = Static<typeof UserKind>;

export const AccountCreatedDataSchema = Type.Object(
  {
    accountId: Id('Id of the new account.'),
    name: Text('Display name of the account.', 200),
    kind: AccountKind,
    parentAccountId: Type.Optional(Id('Account this one belongs to (absent for a top-level account).')),
  },
  { additionalProperties: false },
);
export type AccountCreatedData = Static<typeof AccountCreatedDataSchema>;

export const UserRegisteredDataSchema = Type.Object(
  {
    userId: Id('Id of the new user.'),
    kind: UserKind,
    email: Type.Optional(
      Type.String({ format: 'email', maxLength: 320, description: 'E-mail address (absent for api users).' }),
    ),
    displayName: Text('Name shown to people.', 200),
    accountIds: Type.Array(Id('Account id.'), { uniqueItems: true, description: 'Accounts the user belongs to.' }),
  },
  { additionalProperties: false },
);
export type UserRegisteredData = Static<typeof UserRegisteredDataSchema>;

export const MembershipChangedDataSchema = Type.Object(
  {
    userId: Id('The member.'),
    accountId: Id('The account of the membership.'),
    roles: Type.Array(Text('Role name.', 100), { uniqueItems: true, description: 'Roles of the user in the account.' }),
    permissions: Type.Array(Scope, {
      uniqueItems: true,
      description:
        'Scopes the roles resolve to (so consumers need no role table). Replaces the previous set; empty means the membership was removed.',
    }),
  },
  { additionalProperties: false },
);
export type MembershipChangedData = Static<typeof MembershipChangedDataSchema>;

export const UserDeactivatedDataSchema = Type.Object(
  {
    userId: Id('The deactivated user.'),
    reason: Text('Why the user was deactivated.'),
  },
  { additionalProperties: false },
);
export type UserDeactivatedData = Static<typeof UserDeactivatedDataSchema>;

export const UserReactivatedDataSchema = Type.Object(
  {
    userId: Id('The reactivated user.'),
  },
  { additionalProperties: false },
);
export type UserReactivatedData = Static<typeof UserReactivatedDataSchema>;

const EXAMPLE_ACCOUNT_ID = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const EXAMPLE_PARENT_ACCOUNT_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const EXAMPLE_USER_ID = '3d6f0a1b-2c3d-4e5f-9a0b-1c2d3e4f5a6b';

export const identityEvents = {
  AccountCreated: defineEvent({
    topic: Topics.identity,
    aggregateType: 'account',
    schemaVersion: 1,
    data: AccountCreatedDataSchema,
    description: 'An account was created.',
    ordering: 'per account (key = accountId)',
    aggregateIdField: 'accountId',
    example: {
      accountId: EXAMPLE_ACCOUNT_ID,
      name: 'Acme Logistics',
      kind: 'standard',
      parentAccountId: EXAMPLE_PARENT_ACCOUNT_ID,
    },
  }),
  UserRegistered: defineEvent({
    topic: Topics.identity,
    aggregateType: 'user',
    schemaVersion: 1,
    data: UserRegisteredDataSchema,
    description: 'A user (human, api or contact) was registered.',
    ordering: 'per user (key = userId)',
    aggregateIdField: 'userId',
    example: {
      userId: EXAMPLE_USER_ID,
      kind: 'human',
      email: 'ada@example.com',
      displayName: 'Ada Lovelace',
      accountIds: [EXAMPLE_ACCOUNT_ID],
    },
  }),
  MembershipChanged: defineEvent({
    topic: Topics.identity,
    aggregateType: 'user',
    schemaVersion: 1,
    data: MembershipChangedDataSchema,
    description:
      "A user's roles in an account changed; carries the resolved permissions, which replace the previous ones (empty = no longer a member).",
    ordering: "per user (key = userId), so it is ordered with the same user's deactivation and reactivation",
    aggregateIdField: 'userId',
    example: {
      userId: EXAMPLE_USER_ID,
      accountId: EXAMPLE_ACCOUNT_ID,
      roles: ['order-clerk'],
      permissions: ['orders:read', 'orders:update', 'personal_access_tokens:create'],
    },
  }),
  UserDeactivated: defineEvent({
    topic: Topics.identity,
    aggregateType: 'user',
    schemaVersion: 1,
    data: UserDeactivatedDataSchema,
    description:
      "A user was deactivated: none of the user's tokens is valid any more (token-service also revokes the user's grants).",
    ordering: 'per user (key = userId)',
    aggregateIdField: 'userId',
    example: { userId: EXAMPLE_USER_ID, reason: 'left the company' },
  }),
  UserReactivated: defineEvent({
    topic: Topics.identity,
    aggregateType: 'user',
    schemaVersion: 1,
    data: UserReactivatedDataSchema,
    description: 'A deactivated user was reactivated (grants revoked meanwhile stay revoked).',
    ordering: 'per user (key = userId)',
    aggregateIdField: 'userId',
    example: { userId: EXAMPLE_USER_ID },
  }),
};

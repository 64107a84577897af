import { Type, type Static } from '@sinclair/typebox';
import { Topics } from '../topics';
import { Scope } from '../scopes';
import { DateTime, Id, NullableDateTime, Sha256Base64Url, StringEnum, Text } from '../schemas/primitives';
import { defineEvent } from './define-event';

export const GRANT_KINDS = ['personal', 'authorization', 'client'] as const;
export const GrantKind = StringEnum(GRANT_KINDS, {
  description:
    '`personal`: a personal access token grant (one live token); `authorization`: an OAuth authorization of a user to a client; `client`: client_credentials.',
});
export type GrantKind = Static<typeof GrantKind>;

export const TOKEN_KINDS = ['pat', 'access', 'refresh'] as const;
export const TokenKind = StringEnum(TOKEN_KINDS, {
  description:
    '`pat` personal access token (`lk_pat_`), `access` OAuth access token (`lk_at_`), `refresh` OAuth refresh token (`lk_rt_`).',
});
export type TokenKind = Static<typeof TokenKind>;

/** The upcaster of a version that only added optional fields: old data is valid new data. */
const sameData = (data: unknown): unknown => data;

const AccountIds = (description: string) => Type.Array(Id('Account id.'), { uniqueItems: true, description });
const Scopes = (description: string) => Type.Array(Scope, { uniqueItems: true, description });

export const GrantCreatedDataSchema = Type.Object(
  {
    grantId: Id('Id of the new grant.'),
    kind: GrantKind,
    userId: Type.Optional(Id('User the grant acts for (absent for client grants).')),
    clientId: Type.Optional(Id('Application the grant was given to (absent for personal grants).')),
    accountIds: AccountIds('Accounts the grant may act in.'),
    scopes: Scopes('Scopes granted (expanded, no `resource:*` needed).'),
    name: Type.Optional(Text('Name given by the user (personal access tokens).', 200)),
    description: Type.Optional(Text('What the token is for, as its owner wrote it (personal access tokens).', 2000)),
    createdBy: Id(
      'User (or operator) who really created the grant: the user themselves, or the administrator who created it for them.',
    ),
  },
  { additionalProperties: false },
);
export type GrantCreatedData = Static<typeof GrantCreatedDataSchema>;

export const TokenIssuedDataSchema = Type.Object(
  {
    tokenId: Id('Id of the token.'),
    grantId: Id('Grant the token belongs to.'),
    tokenKind: TokenKind,
    tokenHash: Sha256Base64Url('SHA-256 (base64url) of the token; what verifiers look tokens up by. Never the token.'),
    displayPrefix: Type.String({
      minLength: 1,
      maxLength: 24,
      description: 'Short, non-secret start of the token shown in lists (e.g. `lk_pat_AbC1`).',
    }),
    userId: Type.Optional(Id('User the token acts for (absent for client_credentials tokens).')),
    clientId: Type.Optional(Id('Application the token was issued to (absent for personal access tokens).')),
    accountIds: AccountIds('Accounts the token may act in.'),
    scopes: Scopes("Scopes of the token (a user token is further limited by the user's current permissions)."),
    issuedAt: DateTime('When the token was issued.'),
    expiresAt: NullableDateTime('When the token expires; null = never.'),
    issuedBy: Type.Optional(
      Id(
        'User (or operator) who had the token issued: who created its grant or regenerated it, which may be an administrator acting for the user. Absent on events written before it was recorded.',
      ),
    ),
  },
  { additionalProperties: false },
);
export type TokenIssuedData = Static<typeof TokenIssuedDataSchema>;
/** TokenIssued as written before v2 (no `issuedBy`). */
export const TokenIssuedDataSchemaV1 = Type.Omit(TokenIssuedDataSchema, ['issuedBy'], { additionalProperties: false });

export const TokenRevokedDataSchema = Type.Object(
  {
    tokenId: Id('The revoked token.'),
    grantId: Id('Grant the token belongs to (the grant itself stays valid).'),
    reason: Text('Why the token was revoked, e.g. `regenerated`, `refresh_rotated`, `user_request`.'),
    revokedBy: Type.Optional(
      Id(
        "User (or operator) who revoked or regenerated it, which may be an administrator acting on the user's token. Absent when the platform revoked it by itself (the reason says why) and on events written before it was recorded.",
      ),
    ),
  },
  { additionalProperties: false },
);
export type TokenRevokedData = Static<typeof TokenRevokedDataSchema>;
/** TokenRevoked as written before v2 (no `revokedBy`). */
export const TokenRevokedDataSchemaV1 = Type.Omit(TokenRevokedDataSchema, ['revokedBy'], {
  additionalProperties: false,
});

export const GrantRevokedDataSchema = Type.Object(
  {
    grantId: Id('The revoked grant; every token under it is revoked with it.'),
    userId: Type.Optional(Id('User of the grant, if any.')),
    clientId: Type.Optional(Id('Application of the grant, if any.')),
    reason: Text('Why the grant was revoked, e.g. `user_request`, `user_deactivated`, `application_disabled`.'),
    revokedAt: DateTime('When the grant was revoked.'),
    revokedBy: Type.Optional(
      Id(
        "User (or operator) who revoked it, which may be an administrator acting on the user's grant. Absent when the platform revoked it by itself (e.g. `user_deactivated`, `application_disabled`) and on events written before it was recorded.",
      ),
    ),
  },
  { additionalProperties: false },
);
export type GrantRevokedData = Static<typeof GrantRevokedDataSchema>;
/** GrantRevoked as written before v2 (no `revokedBy`). */
export const GrantRevokedDataSchemaV1 = Type.Omit(GrantRevokedDataSchema, ['revokedBy'], {
  additionalProperties: false,
});

export const PAT_CREATORS = ['everyone', 'administrators'] as const;

export const TokenPolicyChangedDataSchema = Type.Object(
  {
    accountId: Id('The account whose token policy changed.'),
    whoMayCreate: StringEnum(PAT_CREATORS, {
      description:
        'Who may create personal access tokens acting in the account: `everyone` (each member for themselves) or `administrators` (whose token holds `account_tokens:create` there, for anyone).',
    }),
    maxLifetimeDays: Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()], {
      description:
        'Longest lifetime a new personal access token may have, in days; null = unlimited (tokens without expiry allowed).',
    }),
    contactScopes: Scopes("The only scopes a `contact` user's tokens may carry in the account."),
  },
  { additionalProperties: false },
);
export type TokenPolicyChangedData = Static<typeof TokenPolicyChangedDataSchema>;

const EXAMPLE_GRANT_ID = '9b2e4c6a-8d0f-4a1b-9c3d-5e7f9a1b3c5d';
const EXAMPLE_TOKEN_ID = '4e6a8c0b-2d4f-4b6a-8c0e-2f4a6b8c0d2e';
const EXAMPLE_USER_ID = '3d6f0a1b-2c3d-4e5f-9a0b-1c2d3e4f5a6b';
const EXAMPLE_ACCOUNT_ID = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
/** SHA-256 (base64url) of the string 'lk_pat_example'. */
const EXAMPLE_TOKEN_HASH = 'O_zROXVgS00DWI7EkDPTgjMeDw4v7cqU2Xv36Ljhke0';
const ordering = 'per grant (key = grantId)';

export const tokenEvents = {
  GrantCreated: defineEvent({
    topic: Topics.tokens,
    aggregateType: 'grant',
    schemaVersion: 1,
    data: GrantCreatedDataSchema,
    description:
      'A grant was created: a personal access token grant, an OAuth authorization, or a client_credentials grant. Its tokens follow as TokenIssued.',
    ordering,
    aggregateIdField: 'grantId',
    example: {
      grantId: EXAMPLE_GRANT_ID,
      kind: 'personal',
      userId: EXAMPLE_USER_ID,
      accountIds: [EXAMPLE_ACCOUNT_ID],
      scopes: ['orders:read'],
      name: 'CI pipeline',
      createdBy: EXAMPLE_USER_ID,
    },
  }),
  TokenIssued: defineEvent({
    topic: Topics.tokens,
    aggregateType: 'grant',
    // v2 added who acted (optional): a consumer that knows only v1 stops at a v2 event rather than
    // skip it, so consumers are upgraded before producers
    schemaVersion: 2,
    data: TokenIssuedDataSchema,
    previousDataSchemas: { 1: TokenIssuedDataSchemaV1 },
    upcasters: { 1: sameData },
    description:
      "A token was issued under a grant. Carries only the token's SHA-256 hash and a short display prefix, never the token.",
    ordering,
    aggregateIdField: 'grantId',
    example: {
      tokenId: EXAMPLE_TOKEN_ID,
      grantId: EXAMPLE_GRANT_ID,
      tokenKind: 'pat',
      tokenHash: EXAMPLE_TOKEN_HASH,
      displayPrefix: 'lk_pat_exam',
      userId: EXAMPLE_USER_ID,
      accountIds: [EXAMPLE_ACCOUNT_ID],
      scopes: ['orders:read'],
      issuedAt: '2025-01-15T10:30:00.000Z',
      expiresAt: '2025-04-15T10:30:00.000Z',
    },
  }),
  TokenRevoked: defineEvent({
    topic: Topics.tokens,
    aggregateType: 'grant',
    // v2 added who acted (optional): a consumer that knows only v1 stops at a v2 event rather than
    // skip it, so consumers are upgraded before producers
    schemaVersion: 2,
    data: TokenRevokedDataSchema,
    previousDataSchemas: { 1: TokenRevokedDataSchemaV1 },
    upcasters: { 1: sameData },
    description: 'One token was revoked; its grant stays valid (e.g. a PAT was regenerated, a refresh token rotated).',
    ordering,
    aggregateIdField: 'grantId',
    example: { tokenId: EXAMPLE_TOKEN_ID, grantId: EXAMPLE_GRANT_ID, reason: 'regenerated' },
  }),
  TokenPolicyChanged: defineEvent({
    topic: Topics.tokens,
    aggregateType: 'token-policy',
    schemaVersion: 1,
    data: TokenPolicyChangedDataSchema,
    description:
      "An account's personal access token policy was set. Applies to tokens created from then on; existing tokens are not changed (their lifetime and scopes were checked when issued, and effective scopes still follow the user's permissions).",
    ordering: 'per account (key = accountId)',
    aggregateIdField: 'accountId',
    example: {
      accountId: EXAMPLE_ACCOUNT_ID,
      whoMayCreate: 'administrators',
      maxLifetimeDays: 90,
      contactScopes: ['orders:read'],
    },
  }),
  GrantRevoked: defineEvent({
    topic: Topics.tokens,
    aggregateType: 'grant',
    // v2 added who acted (optional): a consumer that knows only v1 stops at a v2 event rather than
    // skip it, so consumers are upgraded before producers
    schemaVersion: 2,
    data: GrantRevokedDataSchema,
    previousDataSchemas: { 1: GrantRevokedDataSchemaV1 },
    upcasters: { 1: sameData },
    description:
      'A grant was revoked and with it every token issued under it. The one event every downstream service must handle.',
    ordering,
    aggregateIdField: 'grantId',
    example: {
      grantId: EXAMPLE_GRANT_ID,
      userId: EXAMPLE_USER_ID,
      reason: 'user_deactivated',
      revokedAt: '2025-01-15T10:30:00.000Z',
    },
  }),
};

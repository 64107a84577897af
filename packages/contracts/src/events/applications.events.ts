import { Type, type Static } from '@sinclair/typebox';
import { Topics } from '../topics';
import { Scope } from '../scopes';
import { Id, NullableDateTime, Sha256Base64Url, StringEnum, Text } from '../schemas/primitives';
import { defineEvent } from './define-event';

export const CLIENT_TYPES = ['confidential', 'public'] as const;
export const ClientType = StringEnum(CLIENT_TYPES, {
  description: '`confidential` clients authenticate with a secret; `public` clients (SPAs, native apps) use PKCE only.',
});
export type ClientType = Static<typeof ClientType>;

export const OAUTH_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const OAuthGrantType = StringEnum(OAUTH_GRANT_TYPES, { description: 'OAuth 2.0 grant type.' });
export type OAuthGrantType = Static<typeof OAuthGrantType>;

const RedirectUris = (description: string) =>
  Type.Array(Type.String({ format: 'uri', maxLength: 2000, description: 'Absolute redirect URI.' }), {
    uniqueItems: true,
    maxItems: 100,
    description,
  });
const GrantTypes = (description: string) => Type.Array(OAuthGrantType, { uniqueItems: true, minItems: 1, description });
const AllowedScopes = (description: string) => Type.Array(Scope, { uniqueItems: true, description });
const AccountIds = (description: string) => Type.Array(Id('Account id.'), { uniqueItems: true, description });
const TtlSeconds = (description: string) => Type.Integer({ minimum: 1, description });

/**
 * The client id of Latchkey's own web console (apps/console). application-registry registers it
 * at its start, and only there (every other client id is random); its ApplicationRegistered says
 * `console: true`.
 */
export const CONSOLE_CLIENT_ID = 'f398c2c5-80ad-4377-988c-14aa059ef5d0';

export const ApplicationRegisteredDataSchema = Type.Object(
  {
    clientId: Id('OAuth client_id of the application.'),
    ownerAccountId: Id('Account that owns (administers) the application.'),
    name: Text('Name shown on the consent page.', 200),
    description: Type.Optional(Text('What the application does.', 2000)),
    clientType: ClientType,
    redirectUris: RedirectUris('Exact redirect URIs allowed in authorization requests.'),
    grantTypes: GrantTypes('Grant types the client may use.'),
    allowedScopes: AllowedScopes('Scopes the client may request.'),
    accountIds: AccountIds('Accounts the application may act in.'),
    accessTokenTtlSeconds: TtlSeconds('Lifetime of access tokens issued to the client, in seconds.'),
    refreshTokenTtlSeconds: TtlSeconds('Lifetime of refresh tokens issued to the client, in seconds.'),
    firstParty: Type.Boolean({ description: 'First-party applications skip the consent page.' }),
    requirePushedAuthorizationRequests: Type.Optional(
      Type.Boolean({
        description:
          'Authorization requests must be pushed first (RFC 9126); absent means false (events before the field).',
      }),
    ),
    secretHash: Type.Optional(
      Sha256Base64Url('SHA-256 (base64url) of the client secret; confidential clients only. Never the secret.'),
    ),
    console: Type.Optional(
      Type.Boolean({
        description:
          "Latchkey's own web console (client id CONSOLE_CLIENT_ID, registered by application-registry itself): its tokens act for their user as a login session does — in every account of the user, with the user's permissions, and they may manage the user's tokens and grants; the application's allowedScopes and accountIds are no ceiling for them. Absent means false.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ApplicationRegisteredData = Static<typeof ApplicationRegisteredDataSchema>;

export const ApplicationUpdatedDataSchema = Type.Object(
  {
    clientId: Id('The updated application.'),
    name: Type.Optional(Text('New name.', 200)),
    description: Type.Optional(Text('New description.', 2000)),
    redirectUris: Type.Optional(RedirectUris('New redirect URIs (replace the old list).')),
    grantTypes: Type.Optional(GrantTypes('New grant types (replace the old list).')),
    allowedScopes: Type.Optional(AllowedScopes('New allowed scopes (replace the old list).')),
    accountIds: Type.Optional(AccountIds('New accounts (replace the old list).')),
    accessTokenTtlSeconds: Type.Optional(TtlSeconds('New access token lifetime, in seconds.')),
    refreshTokenTtlSeconds: Type.Optional(TtlSeconds('New refresh token lifetime, in seconds.')),
    firstParty: Type.Optional(Type.Boolean({ description: 'New first-party flag.' })),
    requirePushedAuthorizationRequests: Type.Optional(
      Type.Boolean({ description: 'New setting of whether authorization requests must be pushed (RFC 9126).' }),
    ),
  },
  {
    additionalProperties: false,
    minProperties: 2,
    description: 'Only the changed fields are present (at least one besides clientId); absent fields keep their value.',
  },
);
export type ApplicationUpdatedData = Static<typeof ApplicationUpdatedDataSchema>;

export const ApplicationSecretRotatedDataSchema = Type.Object(
  {
    clientId: Id('The application whose secret was rotated.'),
    secretHash: Sha256Base64Url('SHA-256 (base64url) of the new client secret. Never the secret.'),
    previousSecretValidUntil: NullableDateTime(
      'Until when the previous secret is still accepted; null = rejected at once.',
    ),
  },
  { additionalProperties: false },
);
export type ApplicationSecretRotatedData = Static<typeof ApplicationSecretRotatedDataSchema>;

export const ApplicationDisabledDataSchema = Type.Object(
  {
    clientId: Id('The disabled application.'),
    reason: Type.Optional(Text('Why the application was disabled.')),
  },
  { additionalProperties: false },
);
export type ApplicationDisabledData = Static<typeof ApplicationDisabledDataSchema>;

export const ApplicationEnabledDataSchema = Type.Object(
  {
    clientId: Id('The re-enabled application.'),
  },
  { additionalProperties: false },
);
export type ApplicationEnabledData = Static<typeof ApplicationEnabledDataSchema>;

export const ApplicationDeletedDataSchema = Type.Object(
  {
    clientId: Id('The deleted application.'),
  },
  { additionalProperties: false },
);
export type ApplicationDeletedData = Static<typeof ApplicationDeletedDataSchema>;

const EXAMPLE_CLIENT_ID = 'c7e9a1f2-4b3d-4c5e-9f6a-7b8c9d0e1f2a';
const EXAMPLE_OWNER_ACCOUNT_ID = '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
/** SHA-256 (base64url) of the strings 'example-client-secret' and 'example-client-secret-2'. */
const EXAMPLE_SECRET_HASH = '6-sAVn33y2sGHZl6331AmzWK0yMi6Qy5IXhdetApm38';
const EXAMPLE_NEW_SECRET_HASH = 'deaIL5TGaXEl2SxZ87AbXh0EVI0Y8ZH2qDdHH3VJSDI';
const ordering = 'per application (key = clientId)';

export const applicationEvents = {
  ApplicationRegistered: defineEvent({
    topic: Topics.applications,
    aggregateType: 'application',
    schemaVersion: 1,
    data: ApplicationRegisteredDataSchema,
    description: 'An OAuth client application was registered.',
    ordering,
    aggregateIdField: 'clientId',
    example: {
      clientId: EXAMPLE_CLIENT_ID,
      ownerAccountId: EXAMPLE_OWNER_ACCOUNT_ID,
      name: 'Order Dashboard',
      description: 'Shows open orders to warehouse staff.',
      clientType: 'confidential',
      redirectUris: ['https://dashboard.example.com/oauth/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      allowedScopes: ['orders:read', 'orders:update'],
      accountIds: [EXAMPLE_OWNER_ACCOUNT_ID],
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2592000,
      firstParty: false,
      secretHash: EXAMPLE_SECRET_HASH,
    },
  }),
  ApplicationUpdated: defineEvent({
    topic: Topics.applications,
    aggregateType: 'application',
    schemaVersion: 1,
    data: ApplicationUpdatedDataSchema,
    description: "An application's settings changed; only the changed fields are present.",
    ordering,
    aggregateIdField: 'clientId',
    example: {
      clientId: EXAMPLE_CLIENT_ID,
      redirectUris: ['https://dashboard.example.com/oauth/callback', 'https://dashboard.example.com/oauth/callback2'],
      allowedScopes: ['orders:read'],
    },
  }),
  ApplicationSecretRotated: defineEvent({
    topic: Topics.applications,
    aggregateType: 'application',
    schemaVersion: 1,
    data: ApplicationSecretRotatedDataSchema,
    description: 'A confidential client got a new secret; the previous one stays valid until previousSecretValidUntil.',
    ordering,
    aggregateIdField: 'clientId',
    example: {
      clientId: EXAMPLE_CLIENT_ID,
      secretHash: EXAMPLE_NEW_SECRET_HASH,
      previousSecretValidUntil: '2025-01-16T10:30:00.000Z',
    },
  }),
  ApplicationDisabled: defineEvent({
    topic: Topics.applications,
    aggregateType: 'application',
    schemaVersion: 1,
    data: ApplicationDisabledDataSchema,
    description:
      "An application was disabled: none of its tokens is valid (token-service also revokes the application's grants).",
    ordering,
    aggregateIdField: 'clientId',
    example: { clientId: EXAMPLE_CLIENT_ID, reason: 'suspected compromise' },
  }),
  ApplicationEnabled: defineEvent({
    topic: Topics.applications,
    aggregateType: 'application',
    schemaVersion: 1,
    data: ApplicationEnabledDataSchema,
    description: 'A disabled application was enabled again (grants revoked meanwhile stay revoked).',
    ordering,
    aggregateIdField: 'clientId',
    example: { clientId: EXAMPLE_CLIENT_ID },
  }),
  ApplicationDeleted: defineEvent({
    topic: Topics.applications,
    aggregateType: 'application',
    schemaVersion: 1,
    data: ApplicationDeletedDataSchema,
    description: 'An application was deleted; its client_id is never reused.',
    ordering,
    aggregateIdField: 'clientId',
    example: { clientId: EXAMPLE_CLIENT_ID },
  }),
};

import {
  CLIENT_TYPES,
  OAUTH_GRANT_TYPES,
  SHA256_BASE64URL_PATTERN,
  isScope,
  type ApplicationDeletedData,
  type ApplicationDisabledData,
  type ApplicationEnabledData,
  type ApplicationRegisteredData,
  type ApplicationSecretRotatedData,
  type ApplicationUpdatedData,
  type ClientType,
  type OAuthGrantType,
} from '@latchkey/contracts';
import type { Decider, DomainEvent, StreamRef } from '@latchkey/eventstore';
import { covers } from '@latchkey/token-verifier';
import { withinBounds, type Limits } from './application-limits';
import { checkRedirectUri } from './redirect-uri';
import { RegistryError } from './registry-error';
import { quoteShort, requireText } from './text';

/** Aggregate type of an application's stream; the stream id is the client id. */
export const APPLICATION_AGGREGATE = 'application';

export function applicationStream(clientId: string): StreamRef {
  return { type: APPLICATION_AGGREGATE, id: clientId };
}

export const NAME_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;
export const REASON_MAX_LENGTH = 500;
export const REDIRECT_URIS_MAX = 100;

const SECRET_HASH = new RegExp(SHA256_BASE64URL_PATTERN);

/** Hashes only: the registry never holds a client secret. */
export interface ApplicationSecret {
  currentHash: string;
  /** The hash before the last rotation, accepted until {@link previousValidUntil}; null when none. */
  previousHash: string | null;
  previousValidUntil: string | null;
}

/** What an administrator may change; every other field is fixed at registration. */
export interface ApplicationSettings {
  name: string;
  /** Null when the application has none. */
  description: string | null;
  /** Exactly as registered, in the order given. */
  redirectUris: string[];
  /** Unique, in the order of OAUTH_GRANT_TYPES. */
  grantTypes: OAuthGrantType[];
  /** Sorted, unique. */
  allowedScopes: string[];
  /** Sorted, unique; always includes the owner account. */
  accountIds: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  firstParty: boolean;
  /** Authorization requests must be pushed first (RFC 9126). */
  requirePushedAuthorizationRequests: boolean;
}

export interface ApplicationProfile extends ApplicationSettings {
  clientId: string;
  ownerAccountId: string;
  clientType: ClientType;
  /** Latchkey's own console (registered by RegisterConsole only). */
  console: boolean;
  /** Null for public clients. */
  secret: ApplicationSecret | null;
}

export type ApplicationState =
  | { status: 'none' }
  | ({ status: 'enabled' } & ApplicationProfile)
  | ({ status: 'disabled'; disabledReason: string | null } & ApplicationProfile)
  | ({ status: 'deleted' } & ApplicationProfile);

export type ExistingApplication = Exclude<ApplicationState, { status: 'none' }>;

/**
 * The acting administrator, as their token says (facts from elsewhere, so decide stays pure). An
 * application can never get more than its registrant holds.
 */
export interface Registrant {
  /** Effective permissions per account id. */
  permissions: Readonly<Record<string, readonly string[]>>;
  /** Accounts where the registrant is an account administrator. */
  administers: readonly string[];
}

export type RegisterApplication = {
  type: 'RegisterApplication';
  clientId: string;
  ownerAccountId: string;
  name: string;
  description?: string | null;
  clientType: ClientType;
  redirectUris: readonly string[];
  grantTypes: readonly OAuthGrantType[];
  allowedScopes: readonly string[];
  accountIds: readonly string[];
  /** Defaults to limits.accessTokenTtlSeconds.default. */
  accessTokenTtlSeconds?: number;
  /** Defaults to limits.refreshTokenTtlSeconds.default. */
  refreshTokenTtlSeconds?: number;
  firstParty: boolean;
  /** Defaults to false. */
  requirePushedAuthorizationRequests?: boolean;
  /** SHA-256 (base64url) of the secret the handler generated; null for public clients. */
  secretHash: string | null;
  registrant: Registrant;
  limits: Limits;
};

/** Fields to change; absent (or undefined) fields keep their value. */
export type ApplicationChanges = Partial<{
  name: string;
  description: string;
  redirectUris: readonly string[];
  grantTypes: readonly OAuthGrantType[];
  allowedScopes: readonly string[];
  accountIds: readonly string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  firstParty: boolean;
  requirePushedAuthorizationRequests: boolean;
}>;

export type UpdateApplication = {
  type: 'UpdateApplication';
  changes: ApplicationChanges;
  registrant: Registrant;
  limits: Limits;
};

export type RotateSecret = {
  type: 'RotateSecret';
  /** SHA-256 (base64url) of the new secret the handler generated. */
  secretHash: string;
  /** How long the previous secret stays valid; defaults to limits.secretOverlapSeconds.default. */
  overlapSeconds?: number;
  /** The current time, ISO-8601. */
  now: string;
  limits: Limits;
};

/**
 * The registry's own registration of Latchkey's console, at its start: a public, first-party
 * client under CONSOLE_CLIENT_ID whose tokens act for their user as a login session does.
 * Idempotent: when registered already, only a changed redirect URI is recorded.
 */
export type RegisterConsole = {
  type: 'RegisterConsole';
  clientId: string;
  ownerAccountId: string;
  redirectUris: readonly string[];
  limits: Limits;
};

export type DisableApplication = { type: 'DisableApplication'; reason?: string | null };
export type EnableApplication = { type: 'EnableApplication' };
export type DeleteApplication = { type: 'DeleteApplication' };

export type ApplicationCommand =
  | RegisterApplication
  | RegisterConsole
  | UpdateApplication
  | RotateSecret
  | DisableApplication
  | EnableApplication
  | DeleteApplication;

export type ApplicationRegistered = DomainEvent<'ApplicationRegistered', ApplicationRegisteredData>;
export type ApplicationUpdated = DomainEvent<'ApplicationUpdated', ApplicationUpdatedData>;
export type ApplicationSecretRotated = DomainEvent<'ApplicationSecretRotated', ApplicationSecretRotatedData>;
export type ApplicationDisabled = DomainEvent<'ApplicationDisabled', ApplicationDisabledData>;
export type ApplicationEnabled = DomainEvent<'ApplicationEnabled', ApplicationEnabledData>;
export type ApplicationDeleted = DomainEvent<'ApplicationDeleted', ApplicationDeletedData>;
export type ApplicationEvent =
  | ApplicationRegistered
  | ApplicationUpdated
  | ApplicationSecretRotated
  | ApplicationDisabled
  | ApplicationEnabled
  | ApplicationDeleted;

// ---------------------------------------------------------------------------------------------
// Field checks: each returns the normalized value or throws a RegistryError.

function checkName(value: unknown): string {
  return requireText(value, 'name', { maxLength: NAME_MAX_LENGTH }, 'NAME_INVALID');
}

function checkDescription(value: unknown): string {
  return requireText(
    value,
    'description',
    { maxLength: DESCRIPTION_MAX_LENGTH, multiLine: true },
    'DESCRIPTION_INVALID',
  );
}

function checkRedirectUris(value: unknown): string[] {
  if (!Array.isArray(value)) throw new RegistryError('REDIRECT_URI_INVALID', 'redirectUris must be a list');
  if (value.length > REDIRECT_URIS_MAX)
    throw new RegistryError('REDIRECT_URIS_TOO_MANY', `at most ${REDIRECT_URIS_MAX} redirect URIs`);
  const seen = new Set<string>();
  for (const raw of value) {
    const uri = checkRedirectUri(raw);
    if (seen.has(uri))
      throw new RegistryError('REDIRECT_URI_DUPLICATE', `redirect URI ${quoteShort(uri)} is listed twice`);
    seen.add(uri);
  }
  return [...seen];
}

function checkGrantTypes(value: unknown): OAuthGrantType[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new RegistryError('GRANT_TYPE_REQUIRED', 'at least one grant type is required');
  for (const grantType of value) {
    if (!(OAUTH_GRANT_TYPES as readonly unknown[]).includes(grantType)) {
      throw new RegistryError('GRANT_TYPE_NOT_ALLOWED', `unknown grant type ${quoteShort(String(grantType))}`);
    }
  }
  return OAUTH_GRANT_TYPES.filter((grantType) => value.includes(grantType));
}

function checkScopes(value: unknown): string[] {
  if (!Array.isArray(value)) throw new RegistryError('SCOPE_INVALID', 'allowedScopes must be a list');
  for (const scope of value) {
    if (!isScope(scope))
      throw new RegistryError('SCOPE_INVALID', `${quoteShort(String(scope))} is not a scope (<resource>:<action>)`);
  }
  return [...new Set(value as string[])].sort();
}

function checkAccountIds(value: unknown, ownerAccountId: string): string[] {
  if (!Array.isArray(value) || !value.includes(ownerAccountId)) {
    throw new RegistryError(
      'OWNER_ACCOUNT_REQUIRED',
      `accountIds must include the owner account ${quoteShort(ownerAccountId)}`,
    );
  }
  return [...new Set(value as string[])].sort();
}

/** The whole-application rules, applied to a registration and to the result of every update. */
function checkConsistency(clientType: ClientType, settings: ApplicationSettings, limits: Limits): void {
  const grants = new Set(settings.grantTypes);
  if (grants.has('client_credentials') && clientType !== 'confidential') {
    throw new RegistryError('GRANT_TYPE_NOT_ALLOWED', 'client_credentials is only for confidential clients');
  }
  if (grants.has('refresh_token') && !grants.has('authorization_code')) {
    throw new RegistryError('GRANT_TYPES_INCONSISTENT', 'refresh_token needs authorization_code');
  }
  if (grants.has('authorization_code') && settings.redirectUris.length === 0) {
    throw new RegistryError('REDIRECT_URI_REQUIRED', 'authorization_code needs at least one redirect URI');
  }
  const { accessTokenTtlSeconds: access, refreshTokenTtlSeconds: refresh } = limits;
  if (!withinBounds(settings.accessTokenTtlSeconds, access)) {
    throw new RegistryError(
      'TTL_OUT_OF_BOUNDS',
      `accessTokenTtlSeconds must be a whole number within ${access.min}..${access.max}`,
    );
  }
  if (!withinBounds(settings.refreshTokenTtlSeconds, refresh)) {
    throw new RegistryError(
      'TTL_OUT_OF_BOUNDS',
      `refreshTokenTtlSeconds must be a whole number within ${refresh.min}..${refresh.max}`,
    );
  }
  if (settings.refreshTokenTtlSeconds < settings.accessTokenTtlSeconds) {
    throw new RegistryError('TTL_OUT_OF_BOUNDS', 'refreshTokenTtlSeconds must not be below accessTokenTtlSeconds');
  }
}

function permissionsIn(registrant: Registrant, accountId: string): readonly string[] {
  // Own properties only: an account id such as "constructor" must not reach Object.prototype.
  return Object.hasOwn(registrant.permissions, accountId) ? (registrant.permissions[accountId] ?? []) : [];
}

/**
 * What the acting administrator must hold for the application to go from `before` (null for a
 * registration) to `after`: every account it gains, every (account, scope) pair it gains — a
 * scope is checked in every account the application may act in, since a client_credentials
 * token acts there with no user to intersect with — and first-party status when it gains it.
 * Narrowing never needs anything, so any administrator may take access away.
 */
function checkAuthority(
  registrant: Registrant,
  ownerAccountId: string,
  before: ApplicationSettings | null,
  after: ApplicationSettings,
): void {
  const accountsBefore = new Set(before?.accountIds ?? []);
  const scopesBefore = new Set(before?.allowedScopes ?? []);
  for (const accountId of after.accountIds) {
    if (!accountsBefore.has(accountId) && permissionsIn(registrant, accountId).length === 0) {
      throw new RegistryError('ACCOUNT_NOT_HELD', `you hold no permissions in account ${quoteShort(accountId)}`);
    }
  }
  for (const accountId of after.accountIds) {
    const held = permissionsIn(registrant, accountId);
    for (const scope of after.allowedScopes) {
      if (accountsBefore.has(accountId) && scopesBefore.has(scope)) continue;
      if (!held.some((permission) => covers(permission, scope))) {
        throw new RegistryError(
          'SCOPE_NOT_HELD',
          `you do not hold ${quoteShort(scope)} in account ${quoteShort(accountId)}`,
        );
      }
    }
  }
  if (after.firstParty && before?.firstParty !== true && !registrant.administers.includes(ownerAccountId)) {
    throw new RegistryError(
      'FIRST_PARTY_NOT_ALLOWED',
      'only an administrator of the owner account may make an application first-party',
    );
  }
}

function checkSecretHash(clientType: ClientType, secretHash: string | null): string | null {
  if (clientType === 'public') {
    if (secretHash !== null && secretHash !== undefined)
      throw new RegistryError('NO_SECRET_FOR_PUBLIC_CLIENT', 'a public client has no secret');
    return null;
  }
  if (typeof secretHash !== 'string' || !SECRET_HASH.test(secretHash)) {
    throw new RegistryError(
      'SECRET_REQUIRED',
      'a confidential client needs the SHA-256 (base64url) hash of its secret',
    );
  }
  return secretHash;
}

// ---------------------------------------------------------------------------------------------
// decide

function requireExisting(state: ApplicationState): ExistingApplication {
  if (state.status === 'none') throw new RegistryError('APPLICATION_NOT_FOUND', 'application not found');
  return state;
}

function requireLive(state: ApplicationState): Exclude<ExistingApplication, { status: 'deleted' }> {
  const application = requireExisting(state);
  if (application.status === 'deleted')
    throw new RegistryError('APPLICATION_DELETED', `application ${quoteShort(application.clientId)} was deleted`);
  return application;
}

function settingsOf(application: ApplicationProfile): ApplicationSettings {
  const {
    name,
    description,
    redirectUris,
    grantTypes,
    allowedScopes,
    accountIds,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    firstParty,
    requirePushedAuthorizationRequests,
  } = application;
  return {
    name,
    description,
    redirectUris,
    grantTypes,
    allowedScopes,
    accountIds,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    firstParty,
    requirePushedAuthorizationRequests,
  };
}

function decideRegister(command: RegisterApplication, state: ApplicationState): ApplicationEvent[] {
  if (state.status === 'deleted') {
    throw new RegistryError(
      'APPLICATION_DELETED',
      `application ${quoteShort(command.clientId)} was deleted; a client id is never reused`,
    );
  }
  if (state.status !== 'none')
    throw new RegistryError('APPLICATION_EXISTS', `application ${quoteShort(command.clientId)} already exists`);
  if (!(CLIENT_TYPES as readonly unknown[]).includes(command.clientType)) {
    throw new RegistryError('CLIENT_TYPE_INVALID', 'clientType must be confidential or public');
  }
  const blankDescription =
    command.description === undefined || command.description === null || command.description.trim() === '';
  const settings: ApplicationSettings = {
    name: checkName(command.name),
    description: blankDescription ? null : checkDescription(command.description),
    redirectUris: checkRedirectUris(command.redirectUris),
    grantTypes: checkGrantTypes(command.grantTypes),
    allowedScopes: checkScopes(command.allowedScopes),
    accountIds: checkAccountIds(command.accountIds, command.ownerAccountId),
    accessTokenTtlSeconds: command.accessTokenTtlSeconds ?? command.limits.accessTokenTtlSeconds.default,
    refreshTokenTtlSeconds: command.refreshTokenTtlSeconds ?? command.limits.refreshTokenTtlSeconds.default,
    firstParty: command.firstParty === true,
    requirePushedAuthorizationRequests: command.requirePushedAuthorizationRequests === true,
  };
  checkConsistency(command.clientType, settings, command.limits);
  const secretHash = checkSecretHash(command.clientType, command.secretHash);
  checkAuthority(command.registrant, command.ownerAccountId, null, settings);
  const { description, ...rest } = settings;
  const data: ApplicationRegisteredData = {
    clientId: command.clientId,
    ownerAccountId: command.ownerAccountId,
    name: rest.name,
    ...(description === null ? {} : { description }),
    clientType: command.clientType,
    redirectUris: rest.redirectUris,
    grantTypes: rest.grantTypes,
    allowedScopes: rest.allowedScopes,
    accountIds: rest.accountIds,
    accessTokenTtlSeconds: rest.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: rest.refreshTokenTtlSeconds,
    firstParty: rest.firstParty,
    // absent means false: the field is newer than the event
    ...(rest.requirePushedAuthorizationRequests ? { requirePushedAuthorizationRequests: true } : {}),
    ...(secretHash === null ? {} : { secretHash }),
  };
  return [{ type: 'ApplicationRegistered', data }];
}

export const CONSOLE_NAME = 'Latchkey console';
const CONSOLE_DESCRIPTION =
  'The web console of this Latchkey installation, where people manage their tokens, the applications they authorized and, as administrators, applications and users.';

function decideRegisterConsole(command: RegisterConsole, state: ApplicationState): ApplicationEvent[] {
  const redirectUris = checkRedirectUris(command.redirectUris);
  if (redirectUris.length === 0) throw new RegistryError('REDIRECT_URI_REQUIRED', 'the console needs a redirect URI');
  if (state.status !== 'none') {
    if (!state.console)
      throw new RegistryError('APPLICATION_EXISTS', `application ${quoteShort(state.clientId)} is not the console`);
    // deleted stays deleted (an administrator's decision); otherwise only the redirect URIs follow the settings
    if (state.status === 'deleted' || sameList(state.redirectUris, redirectUris)) return [];
    return [{ type: 'ApplicationUpdated', data: { clientId: state.clientId, redirectUris } }];
  }
  return [
    {
      type: 'ApplicationRegistered',
      data: {
        clientId: command.clientId,
        ownerAccountId: command.ownerAccountId,
        name: CONSOLE_NAME,
        description: CONSOLE_DESCRIPTION,
        clientType: 'public',
        redirectUris,
        grantTypes: ['authorization_code', 'refresh_token'],
        // no ceiling for the console's tokens: they carry their user's permissions (ApplicationRegistered.console)
        allowedScopes: [],
        accountIds: [command.ownerAccountId],
        accessTokenTtlSeconds: command.limits.accessTokenTtlSeconds.default,
        refreshTokenTtlSeconds: command.limits.refreshTokenTtlSeconds.default,
        firstParty: true,
        console: true,
      },
    },
  ];
}

/** The console's registration is the registry's own: the API may disable and enable it, not change or delete it. */
function refuseIfConsole(state: ApplicationState): void {
  if (state.status !== 'none' && state.console)
    throw new RegistryError(
      'CONSOLE_MANAGED',
      'the console’s registration is managed by the platform (application-registry’s CONSOLE_REDIRECT_URI); it can be disabled, not changed or deleted',
    );
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function decideUpdate(command: UpdateApplication, state: ApplicationState): ApplicationEvent[] {
  const application = requireLive(state);
  const { changes } = command;
  const given = Object.entries(changes ?? {}).filter(([, value]) => value !== undefined);
  if (given.length === 0) throw new RegistryError('NOTHING_TO_UPDATE', 'no field to update');
  const before = settingsOf(application);
  const after: ApplicationSettings = {
    name: changes.name === undefined ? before.name : checkName(changes.name),
    // A description can be replaced, not removed: the event has no way to say "none".
    description: changes.description === undefined ? before.description : checkDescription(changes.description),
    redirectUris: changes.redirectUris === undefined ? before.redirectUris : checkRedirectUris(changes.redirectUris),
    grantTypes: changes.grantTypes === undefined ? before.grantTypes : checkGrantTypes(changes.grantTypes),
    allowedScopes: changes.allowedScopes === undefined ? before.allowedScopes : checkScopes(changes.allowedScopes),
    accountIds:
      changes.accountIds === undefined
        ? before.accountIds
        : checkAccountIds(changes.accountIds, application.ownerAccountId),
    accessTokenTtlSeconds: changes.accessTokenTtlSeconds ?? before.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: changes.refreshTokenTtlSeconds ?? before.refreshTokenTtlSeconds,
    firstParty: changes.firstParty === undefined ? before.firstParty : changes.firstParty === true,
    requirePushedAuthorizationRequests:
      changes.requirePushedAuthorizationRequests === undefined
        ? before.requirePushedAuthorizationRequests
        : changes.requirePushedAuthorizationRequests === true,
  };
  checkConsistency(application.clientType, after, command.limits);
  checkAuthority(command.registrant, application.ownerAccountId, before, after);

  const data: ApplicationUpdatedData = { clientId: application.clientId };
  if (after.name !== before.name) data.name = after.name;
  if (after.description !== before.description && after.description !== null) data.description = after.description;
  if (!sameList(after.redirectUris, before.redirectUris)) data.redirectUris = after.redirectUris;
  if (!sameList(after.grantTypes, before.grantTypes)) data.grantTypes = after.grantTypes;
  if (!sameList(after.allowedScopes, before.allowedScopes)) data.allowedScopes = after.allowedScopes;
  if (!sameList(after.accountIds, before.accountIds)) data.accountIds = after.accountIds;
  if (after.accessTokenTtlSeconds !== before.accessTokenTtlSeconds)
    data.accessTokenTtlSeconds = after.accessTokenTtlSeconds;
  if (after.refreshTokenTtlSeconds !== before.refreshTokenTtlSeconds)
    data.refreshTokenTtlSeconds = after.refreshTokenTtlSeconds;
  if (after.firstParty !== before.firstParty) data.firstParty = after.firstParty;
  if (after.requirePushedAuthorizationRequests !== before.requirePushedAuthorizationRequests)
    data.requirePushedAuthorizationRequests = after.requirePushedAuthorizationRequests;
  // Idempotent: nothing to record when every given field already has its value.
  return Object.keys(data).length === 1 ? [] : [{ type: 'ApplicationUpdated', data }];
}

function decideRotate(command: RotateSecret, state: ApplicationState): ApplicationEvent[] {
  const application = requireLive(state);
  if (application.clientType === 'public')
    throw new RegistryError('NO_SECRET_FOR_PUBLIC_CLIENT', 'a public client has no secret to rotate');
  const secretHash = checkSecretHash('confidential', command.secretHash) as string;
  const overlap = command.limits.secretOverlapSeconds;
  const overlapSeconds = command.overlapSeconds ?? overlap.default;
  if (!withinBounds(overlapSeconds, overlap)) {
    throw new RegistryError(
      'OVERLAP_OUT_OF_BOUNDS',
      `overlapSeconds must be a whole number within ${overlap.min}..${overlap.max}`,
    );
  }
  const now = Date.parse(command.now);
  if (Number.isNaN(now)) throw new Error(`RotateSecret.now is not an ISO-8601 time: ${JSON.stringify(command.now)}`);
  const previousSecretValidUntil = overlapSeconds === 0 ? null : new Date(now + overlapSeconds * 1000).toISOString();
  return [
    {
      type: 'ApplicationSecretRotated',
      data: { clientId: application.clientId, secretHash, previousSecretValidUntil },
    },
  ];
}

function decideDisable(command: DisableApplication, state: ApplicationState): ApplicationEvent[] {
  const application = requireLive(state);
  if (application.status === 'disabled') throw new RegistryError('ALREADY_DISABLED', 'application is already disabled');
  const blank = command.reason === undefined || command.reason === null || command.reason.trim() === '';
  const reason = blank
    ? null
    : requireText(command.reason, 'reason', { maxLength: REASON_MAX_LENGTH }, 'REASON_INVALID');
  return [
    { type: 'ApplicationDisabled', data: { clientId: application.clientId, ...(reason === null ? {} : { reason }) } },
  ];
}

function decideEnable(state: ApplicationState): ApplicationEvent[] {
  const application = requireLive(state);
  if (application.status === 'enabled') throw new RegistryError('NOT_DISABLED', 'application is not disabled');
  return [{ type: 'ApplicationEnabled', data: { clientId: application.clientId } }];
}

function decideDelete(state: ApplicationState): ApplicationEvent[] {
  const application = requireLive(state);
  return [{ type: 'ApplicationDeleted', data: { clientId: application.clientId } }];
}

// ---------------------------------------------------------------------------------------------
// evolve

function withUpdate(settings: ApplicationSettings, data: ApplicationUpdatedData): ApplicationSettings {
  return {
    name: data.name ?? settings.name,
    description: data.description ?? settings.description,
    redirectUris: data.redirectUris ? [...data.redirectUris] : settings.redirectUris,
    grantTypes: data.grantTypes ? [...data.grantTypes] : settings.grantTypes,
    allowedScopes: data.allowedScopes ? [...data.allowedScopes] : settings.allowedScopes,
    accountIds: data.accountIds ? [...data.accountIds] : settings.accountIds,
    accessTokenTtlSeconds: data.accessTokenTtlSeconds ?? settings.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: data.refreshTokenTtlSeconds ?? settings.refreshTokenTtlSeconds,
    firstParty: data.firstParty ?? settings.firstParty,
    requirePushedAuthorizationRequests:
      data.requirePushedAuthorizationRequests ?? settings.requirePushedAuthorizationRequests,
  };
}

function withRotation(secret: ApplicationSecret | null, data: ApplicationSecretRotatedData): ApplicationSecret {
  // Only one previous secret is kept: a second rotation within the overlap ends the first one's.
  const previousHash = data.previousSecretValidUntil === null ? null : (secret?.currentHash ?? null);
  return {
    currentHash: data.secretHash,
    previousHash,
    previousValidUntil: previousHash === null ? null : data.previousSecretValidUntil,
  };
}

function profileOf(state: ExistingApplication): ApplicationProfile {
  const { clientId, ownerAccountId, clientType, console, secret } = state;
  return { clientId, ownerAccountId, clientType, console, secret, ...settingsOf(state) };
}

export const applicationDecider: Decider<ApplicationCommand, ApplicationState, ApplicationEvent> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterApplication':
        return decideRegister(command, state);
      case 'RegisterConsole':
        return decideRegisterConsole(command, state);
      case 'UpdateApplication':
        refuseIfConsole(state);
        return decideUpdate(command, state);
      case 'RotateSecret':
        return decideRotate(command, state);
      case 'DisableApplication':
        return decideDisable(command, state);
      case 'EnableApplication':
        return decideEnable(state);
      case 'DeleteApplication':
        refuseIfConsole(state);
        return decideDelete(state);
      default: {
        const unknown: never = command;
        throw new Error(`unknown application command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ApplicationRegistered': {
        const { clientId, ownerAccountId, name, description, clientType, secretHash, ...rest } = event.data;
        return {
          status: 'enabled',
          clientId,
          ownerAccountId,
          clientType,
          console: rest.console === true,
          name,
          description: description ?? null,
          redirectUris: [...rest.redirectUris],
          grantTypes: [...rest.grantTypes],
          allowedScopes: [...rest.allowedScopes],
          accountIds: [...rest.accountIds],
          accessTokenTtlSeconds: rest.accessTokenTtlSeconds,
          refreshTokenTtlSeconds: rest.refreshTokenTtlSeconds,
          firstParty: rest.firstParty,
          requirePushedAuthorizationRequests: rest.requirePushedAuthorizationRequests === true,
          secret:
            secretHash === undefined ? null : { currentHash: secretHash, previousHash: null, previousValidUntil: null },
        };
      }
      case 'ApplicationUpdated':
        if (state.status === 'none') return state;
        return { ...state, ...withUpdate(settingsOf(state), event.data) };
      case 'ApplicationSecretRotated':
        if (state.status === 'none') return state;
        return { ...state, secret: withRotation(state.secret, event.data) };
      case 'ApplicationDisabled':
        if (state.status === 'none') return state;
        return { ...profileOf(state), status: 'disabled', disabledReason: event.data.reason ?? null };
      case 'ApplicationEnabled':
        if (state.status === 'none') return state;
        return { ...profileOf(state), status: 'enabled' };
      case 'ApplicationDeleted':
        if (state.status === 'none') return state;
        return { ...profileOf(state), status: 'deleted' };
      default: {
        const unknown: never = event;
        throw new Error(`unknown application event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

import { isScope, SCOPE_ACTIONS, type UserKind } from '@latchkey/contracts';
import { IdentityError } from '../identity-error';

/**
 * Resources of the platform itself; business record types come from configuration.
 * `personal_access_tokens` and `grants` are the caller's OWN tokens and OAuth authorizations;
 * `account_tokens` is the administration of everyone's tokens and grants in an account (list,
 * issue or regenerate for others, revoke, set the token policy), which only `account_admin` holds.
 */
export const PLATFORM_RESOURCES = [
  'accounts',
  'users',
  'applications',
  'personal_access_tokens',
  'grants',
  'account_tokens',
] as const;
export type PlatformResource = (typeof PLATFORM_RESOURCES)[number];

/** Names of the built-in roles. */
export const BUILT_IN_ROLES = ['account_admin', 'member', 'read_only', 'api_user', 'contact'] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

export interface RoleDefinition {
  readonly name: string;
  readonly description: string;
  /** Scopes granted by the role; `<resource>:*` stands for create, read, update and delete. */
  readonly permissions: readonly string[];
  /** User kinds that may hold the role. */
  readonly allowedKinds: readonly UserKind[];
}

export interface RoleCatalogue {
  readonly roles: readonly RoleDefinition[];
  /** The configured business record types, as given. */
  readonly recordTypes: readonly string[];
  /**
   * The permissions the roles grant: sorted, unique, wildcards expanded (see docs/architecture.md: `resource:*`
   * is allowed in roles and expanded on issue). Throws IdentityError ROLE_UNKNOWN.
   */
  resolve(roles: readonly string[]): string[];
  isKnown(role: string): boolean;
  /** Whether a user of this kind may hold the role (false for an unknown role). */
  allowedFor(role: string, kind: UserKind): boolean;
}

/** Same grammar as the resource part of a scope (contracts SCOPE_PATTERN). */
const RECORD_TYPE_PATTERN = /^[a-z][a-z0-9_]*$/;

/** `orders:*` → `orders:create`, `orders:read`, `orders:update`, `orders:delete`; other scopes unchanged. */
export function expandScope(scope: string): string[] {
  if (!scope.endsWith(':*')) return [scope];
  const resource = scope.slice(0, -2);
  return SCOPE_ACTIONS.map((action) => `${resource}:${action}`);
}

function validateRecordTypes(recordTypes: readonly string[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const name of recordTypes) {
    if (typeof name !== 'string' || !RECORD_TYPE_PATTERN.test(name) || !isScope(`${name}:delete`)) {
      problems.push(
        `${JSON.stringify(name)} is not a snake_case resource name (${RECORD_TYPE_PATTERN.source}, scope at most 200 characters)`,
      );
    } else if ((PLATFORM_RESOURCES as readonly string[]).includes(name)) {
      problems.push(`${JSON.stringify(name)} is a platform resource, not a record type`);
    } else if (seen.has(name)) {
      problems.push(`${JSON.stringify(name)} is listed twice`);
    }
    seen.add(name);
  }
  if (problems.length > 0) throw new Error(`invalid record types: ${problems.join('; ')}`);
}

/** What a person needs to manage their own tokens: their PATs, and the OAuth authorizations they gave. */
const OWN_TOKENS = [
  'personal_access_tokens:create',
  'personal_access_tokens:read',
  'personal_access_tokens:delete',
  'grants:read',
  'grants:delete',
] as const;

function builtInRoles(recordTypes: readonly string[]): RoleDefinition[] {
  const onRecords = (...actions: string[]) =>
    recordTypes.flatMap((type) => actions.map((action) => `${type}:${action}`));
  return [
    {
      name: 'account_admin',
      description: 'Everything in the account: platform resources and every record type.',
      permissions: [...PLATFORM_RESOURCES, ...recordTypes].map((resource) => `${resource}:*`),
      allowedKinds: ['human'],
    },
    {
      name: 'member',
      description:
        'Works on records; manages own personal access tokens and OAuth authorizations; sees applications and users.',
      permissions: [...onRecords('*'), ...OWN_TOKENS, 'applications:read', 'users:read'],
      allowedKinds: ['human', 'api'],
    },
    {
      name: 'read_only',
      description: 'Reads records; manages own personal access tokens and OAuth authorizations.',
      permissions: [...onRecords('read'), ...OWN_TOKENS],
      allowedKinds: ['human', 'api'],
    },
    {
      name: 'api_user',
      description: 'Machine access to records: create, read and update (no delete).',
      permissions: onRecords('create', 'read', 'update'),
      allowedKinds: ['human', 'api'],
    },
    {
      name: 'contact',
      description: 'External contact: reads records (upstreams restrict to own data).',
      permissions: onRecords('read'),
      allowedKinds: ['contact'],
    },
  ];
}

/**
 * The built-in roles over the platform resources and the configured record types. A bad record
 * type name is a configuration error: a plain Error naming every bad entry.
 */
export function createRoleCatalogue(recordTypes: readonly string[]): RoleCatalogue {
  validateRecordTypes(recordTypes);
  const roles = builtInRoles(recordTypes).map((role) =>
    Object.freeze({
      ...role,
      permissions: Object.freeze([...role.permissions]),
      allowedKinds: Object.freeze([...role.allowedKinds]),
    }),
  );
  const byName = new Map(roles.map((role) => [role.name, role]));
  return Object.freeze({
    roles: Object.freeze(roles),
    recordTypes: Object.freeze([...recordTypes]),
    resolve(names: readonly string[]): string[] {
      const permissions = new Set<string>();
      for (const name of names) {
        const role = byName.get(name);
        if (role === undefined) throw new IdentityError('ROLE_UNKNOWN', `unknown role ${JSON.stringify(name)}`);
        for (const scope of role.permissions) for (const expanded of expandScope(scope)) permissions.add(expanded);
      }
      return [...permissions].sort();
    },
    isKnown(name: string): boolean {
      return byName.has(name);
    },
    allowedFor(name: string, kind: UserKind): boolean {
      return byName.get(name)?.allowedKinds.includes(kind) ?? false;
    },
  });
}

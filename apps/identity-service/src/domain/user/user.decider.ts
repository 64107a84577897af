import type {
  MembershipChangedData,
  UserDeactivatedData,
  UserKind,
  UserReactivatedData,
  UserRegisteredData,
} from '@latchkey/contracts';
import type { Decider, DomainEvent, StreamRef } from '@latchkey/eventstore';
import { IdentityError } from '../identity-error';
import type { RoleCatalogue } from '../roles/role-catalogue';
import { requireText } from '../text';

/** Aggregate type of a user's stream; the stream id is the user id. */
export const USER_AGGREGATE = 'user';

export function userStream(userId: string): StreamRef {
  return { type: USER_AGGREGATE, id: userId };
}

export interface Membership {
  /** Sorted, unique role names. */
  roles: string[];
  /** The permissions the roles resolved to when they were assigned. */
  permissions: string[];
}

export interface UserProfile {
  userId: string;
  kind: UserKind;
  /** Lower-cased and trimmed; absent for api users registered without one. */
  email?: string;
  displayName: string;
  /** The account the user was registered in. */
  homeAccountId: string;
  /** Current memberships by account id; a removed membership is absent. */
  memberships: Record<string, Membership>;
}

export type UserState =
  | { status: 'none' }
  | ({ status: 'active' } & UserProfile)
  | ({ status: 'deactivated'; deactivationReason: string } & UserProfile);

export type RegisterUser = {
  type: 'RegisterUser';
  userId: string;
  kind: UserKind;
  email?: string | null;
  displayName: string;
  /** The account the user is registered in; becomes the first membership. */
  accountId: string;
  roles: string[];
  /** Whether another user already has this e-mail (compare {@link normalizeEmail} forms). */
  emailTaken: boolean;
  catalogue: RoleCatalogue;
};

export type ChangeMembership = {
  type: 'ChangeMembership';
  accountId: string;
  /** The new roles in the account (they replace the current ones); [] removes the membership. */
  roles: string[];
  catalogue: RoleCatalogue;
};

export type DeactivateUser = { type: 'DeactivateUser'; reason: string };
export type ReactivateUser = { type: 'ReactivateUser' };

export type UserCommand = RegisterUser | ChangeMembership | DeactivateUser | ReactivateUser;

export type UserRegistered = DomainEvent<'UserRegistered', UserRegisteredData>;
export type MembershipChanged = DomainEvent<'MembershipChanged', MembershipChangedData>;
export type UserDeactivated = DomainEvent<'UserDeactivated', UserDeactivatedData>;
export type UserReactivated = DomainEvent<'UserReactivated', UserReactivatedData>;
export type UserEvent = UserRegistered | MembershipChanged | UserDeactivated | UserReactivated;

const DISPLAY_NAME_MAX_LENGTH = 200;
const REASON_MAX_LENGTH = 500;
const EMAIL_MAX_LENGTH = 320;
/**
 * Dot-atom local part @ a domain of two or more labels (letters, digits, inner hyphens): no
 * stricter than the contracts' `format: email`, so an accepted address always validates there.
 */
const ATEXT = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const EMAIL_PATTERN = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*@(?:${LABEL}\\.)+${LABEL}$`);

/** The stored and compared form of an e-mail address: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkEmail(kind: UserKind, raw: string | null | undefined): string | undefined {
  const email = typeof raw === 'string' ? normalizeEmail(raw) : '';
  if (email.length === 0) {
    if (kind === 'api') return undefined;
    throw new IdentityError('EMAIL_REQUIRED', `a ${kind} user needs an e-mail address`);
  }
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_PATTERN.test(email)) {
    throw new IdentityError('EMAIL_INVALID', 'not a valid e-mail address');
  }
  return email;
}

/** Sorted unique roles, each known and allowed for the kind. */
function checkRoles(catalogue: RoleCatalogue, kind: UserKind, roles: readonly string[]): string[] {
  const unique = [...new Set(roles)].sort();
  for (const role of unique) {
    if (!catalogue.isKnown(role)) throw new IdentityError('ROLE_UNKNOWN', `unknown role ${JSON.stringify(role)}`);
    if (!catalogue.allowedFor(role, kind)) {
      throw new IdentityError(
        'ROLE_NOT_ALLOWED_FOR_KIND',
        `a ${kind} user may not hold the role ${JSON.stringify(role)}`,
      );
    }
  }
  return unique;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function requireActive(state: UserState): Extract<UserState, { status: 'active' }> {
  if (state.status === 'none') throw new IdentityError('USER_NOT_FOUND', 'user not found');
  if (state.status === 'deactivated') throw new IdentityError('USER_DEACTIVATED', 'user is deactivated');
  return state;
}

function decideRegister(command: RegisterUser, state: UserState): UserEvent[] {
  if (state.status !== 'none')
    throw new IdentityError('USER_EXISTS', `user ${JSON.stringify(command.userId)} already exists`);
  const displayName = requireText(command.displayName, 'displayName', DISPLAY_NAME_MAX_LENGTH, 'NAME_INVALID');
  const email = checkEmail(command.kind, command.email);
  if (email !== undefined && command.emailTaken) throw new IdentityError('EMAIL_TAKEN', 'the e-mail address is taken');
  if (command.roles.length === 0)
    throw new IdentityError('ROLES_REQUIRED', 'a user needs at least one role in its account');
  const roles = checkRoles(command.catalogue, command.kind, command.roles);
  const registered: UserRegisteredData = {
    userId: command.userId,
    kind: command.kind,
    ...(email === undefined ? {} : { email }),
    displayName,
    accountIds: [command.accountId],
  };
  return [
    { type: 'UserRegistered', data: registered },
    {
      type: 'MembershipChanged',
      data: {
        userId: command.userId,
        accountId: command.accountId,
        roles,
        permissions: command.catalogue.resolve(roles),
      },
    },
  ];
}

function decideChangeMembership(command: ChangeMembership, state: UserState): UserEvent[] {
  const user = requireActive(state);
  const current = user.memberships[command.accountId];
  if (command.roles.length === 0) {
    if (current === undefined)
      throw new IdentityError('NOT_A_MEMBER', `user is not a member of account ${JSON.stringify(command.accountId)}`);
    return [
      {
        type: 'MembershipChanged',
        data: { userId: user.userId, accountId: command.accountId, roles: [], permissions: [] },
      },
    ];
  }
  const roles = checkRoles(command.catalogue, user.kind, command.roles);
  const permissions = command.catalogue.resolve(roles);
  // Idempotent: nothing to record when neither the roles nor what they resolve to changed. (Same
  // roles with different permissions, after the record types changed, are re-recorded.)
  if (current !== undefined && sameList(current.roles, roles) && sameList(current.permissions, permissions)) return [];
  return [
    { type: 'MembershipChanged', data: { userId: user.userId, accountId: command.accountId, roles, permissions } },
  ];
}

function decideDeactivate(command: DeactivateUser, state: UserState): UserEvent[] {
  if (state.status === 'none') throw new IdentityError('USER_NOT_FOUND', 'user not found');
  if (state.status === 'deactivated')
    throw new IdentityError('USER_ALREADY_DEACTIVATED', 'user is already deactivated');
  const reason = requireText(command.reason, 'reason', REASON_MAX_LENGTH, 'REASON_INVALID');
  return [{ type: 'UserDeactivated', data: { userId: state.userId, reason } }];
}

function decideReactivate(state: UserState): UserEvent[] {
  if (state.status === 'none') throw new IdentityError('USER_NOT_FOUND', 'user not found');
  if (state.status === 'active') throw new IdentityError('USER_NOT_DEACTIVATED', 'user is not deactivated');
  return [{ type: 'UserReactivated', data: { userId: state.userId } }];
}

function withMembership(
  memberships: Record<string, Membership>,
  data: MembershipChangedData,
): Record<string, Membership> {
  const next = { ...memberships };
  // The roles are the identity-service's truth: [] means removed. (Permissions are [] too then,
  // which is what consumers read as removal.)
  if (data.roles.length === 0) delete next[data.accountId];
  else next[data.accountId] = { roles: [...data.roles], permissions: [...data.permissions] };
  return next;
}

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterUser':
        return decideRegister(command, state);
      case 'ChangeMembership':
        return decideChangeMembership(command, state);
      case 'DeactivateUser':
        return decideDeactivate(command, state);
      case 'ReactivateUser':
        return decideReactivate(state);
      default: {
        const unknown: never = command;
        throw new Error(`unknown user command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'UserRegistered': {
        const { userId, kind, email, displayName, accountIds } = event.data;
        return {
          status: 'active',
          userId,
          kind,
          ...(email === undefined ? {} : { email }),
          displayName,
          homeAccountId: accountIds[0],
          memberships: {},
        };
      }
      case 'MembershipChanged':
        if (state.status === 'none') return state;
        return { ...state, memberships: withMembership(state.memberships, event.data) };
      case 'UserDeactivated': {
        if (state.status === 'none') return state;
        const { status: _status, ...profile } = state;
        return { ...profile, status: 'deactivated', deactivationReason: event.data.reason };
      }
      case 'UserReactivated': {
        if (state.status !== 'deactivated') return state;
        const { status: _status, deactivationReason: _reason, ...profile } = state;
        return { ...profile, status: 'active' };
      }
      default: {
        const unknown: never = event;
        throw new Error(`unknown user event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

/**
 * Who may log in with a password: `human` and `contact` users (contacts are external people who
 * sign in to the pages their account's contact policy allows); `api` users never log in — an
 * admin gives them tokens. The user must exist and be active. Passwords live outside the event
 * log, so this is a guard for the set-password use case rather than a command.
 */
export function assertCanHavePassword(state: UserState): asserts state is Extract<UserState, { status: 'active' }> {
  const user = requireActive(state);
  if (user.kind === 'api')
    throw new IdentityError('PASSWORD_NOT_ALLOWED_FOR_KIND', 'api users never log in and have no password');
}

/** Whether the user may log in at all (a password check still follows): active and not `api`. */
export function canLogIn(state: UserState): boolean {
  return state.status === 'active' && state.kind !== 'api';
}

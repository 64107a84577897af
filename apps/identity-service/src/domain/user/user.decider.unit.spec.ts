import { validateEvent } from '@latchkey/contracts';
import { deciderScenarios, envelopesOf } from '@latchkey/eventstore';
import { IdentityError } from '../identity-error';
import { createRoleCatalogue } from '../roles/role-catalogue';
import {
  assertCanHavePassword,
  canLogIn,
  normalizeEmail,
  userDecider as decider,
  userStream,
  type RegisterUser,
  type UserCommand,
  type UserEvent,
} from './user.decider';

const catalogue = createRoleCatalogue(['requests', 'orders']);

const { given, when, errorOf } = deciderScenarios(decider, IdentityError);
const thenError = (code: string, command: UserCommand, ...history: UserEvent[]) => {
  expect(errorOf(() => when(command, ...history)).code).toBe(code);
};

const U = 'user-1';
const HOME = 'acct-home';
const OTHER = 'acct-other';

const register: RegisterUser = {
  type: 'RegisterUser',
  userId: U,
  kind: 'human',
  email: 'Ada@Example.com',
  displayName: 'Ada Lovelace',
  accountId: HOME,
  roles: ['member'],
  emailTaken: false,
  catalogue,
};

const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: U, kind: 'human', email: 'ada@example.com', displayName: 'Ada Lovelace', accountIds: [HOME] },
};
const memberOfHome: UserEvent = {
  type: 'MembershipChanged',
  data: { userId: U, accountId: HOME, roles: ['member'], permissions: catalogue.resolve(['member']) },
};
const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId: U, reason: 'left' } };
const reactivated: UserEvent = { type: 'UserReactivated', data: { userId: U } };
const apiRegistered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: U, kind: 'api', displayName: 'Billing bot', accountIds: [HOME] },
};
const contactRegistered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: U, kind: 'contact', email: 'bob@customer.example', displayName: 'Bob', accountIds: [HOME] },
};
const change = (accountId: string, roles: string[]): UserCommand => ({
  type: 'ChangeMembership',
  accountId,
  roles,
  catalogue,
});
const membership = (accountId: string, roles: string[]): UserEvent => ({
  type: 'MembershipChanged',
  data: { userId: U, accountId, roles, permissions: catalogue.resolve(roles) },
});

describe('user decider', () => {
  describe('RegisterUser', () => {
    it('given nothing, when registering a human, then UserRegistered and the membership with resolved permissions', () => {
      expect(when(register)).toEqual([registered, memberOfHome]);
    });

    it('stores the e-mail trimmed and lower-cased, the display name trimmed', () => {
      const [event] = when({ ...register, email: '  ADA@Example.COM ', displayName: '  Ada Lovelace ' });
      expect(event.data).toMatchObject({ email: 'ada@example.com', displayName: 'Ada Lovelace' });
      expect(normalizeEmail('  ADA@Example.COM ')).toBe('ada@example.com');
    });

    it('given an api user without an e-mail, then it is registered without one', () => {
      const events = when({
        ...register,
        kind: 'api',
        email: undefined,
        displayName: 'Billing bot',
        roles: ['api_user'],
      });
      expect(events[0]).toEqual(apiRegistered);
      expect('email' in events[0].data).toBe(false);
      expect(
        when({ ...register, kind: 'api', email: null, displayName: 'Billing bot', roles: ['api_user'] })[0],
      ).toEqual(apiRegistered);
      expect(
        when({ ...register, kind: 'api', email: '  ', displayName: 'Billing bot', roles: ['api_user'] })[0],
      ).toEqual(apiRegistered);
    });

    it.each(["o'brien+tag@mail.example.co", 'first.last@sub-domain.example.org', 'x@a.io'])(
      'given the e-mail %j, then it is accepted and the event validates',
      (email) => {
        const [event] = when({ ...register, email });
        expect(event.data).toMatchObject({ email });
        const [envelope] = envelopesOf('identity-service', 'user', U, [event]);
        expect(validateEvent(envelope).ok).toBe(true);
      },
    );

    it('given an api user with an e-mail, then it is kept', () => {
      const [event] = when({ ...register, kind: 'api', roles: ['api_user'] });
      expect(event.data).toMatchObject({ kind: 'api', email: 'ada@example.com' });
    });

    it('given a contact, when registered with the contact role, then the contact membership', () => {
      const events = when({
        ...register,
        kind: 'contact',
        email: 'bob@customer.example',
        displayName: 'Bob',
        roles: ['contact'],
      });
      expect(events).toEqual([
        contactRegistered,
        {
          type: 'MembershipChanged',
          data: { userId: U, accountId: HOME, roles: ['contact'], permissions: ['orders:read', 'requests:read'] },
        },
      ]);
    });

    it('given several roles, some repeated, then they are recorded sorted and unique with the union of permissions', () => {
      const [, event] = when({ ...register, roles: ['read_only', 'account_admin', 'read_only'] });
      expect(event.data).toEqual({
        userId: U,
        accountId: HOME,
        roles: ['account_admin', 'read_only'],
        permissions: catalogue.resolve(['account_admin']),
      });
    });

    it('given a registered user, when registering again, then USER_EXISTS', () => {
      thenError('USER_EXISTS', register, registered, memberOfHome);
      thenError('USER_EXISTS', register, registered, memberOfHome, deactivated);
    });

    it('given a taken e-mail, then EMAIL_TAKEN', () => {
      thenError('EMAIL_TAKEN', { ...register, emailTaken: true });
    });

    it.each(['human', 'contact'] as const)('given a %s without an e-mail, then EMAIL_REQUIRED', (kind) => {
      const roles = kind === 'contact' ? ['contact'] : ['member'];
      thenError('EMAIL_REQUIRED', { ...register, kind, email: undefined, roles });
      thenError('EMAIL_REQUIRED', { ...register, kind, email: '   ', roles });
    });

    it.each([
      'not-an-email',
      'a@b',
      'a b@example.com',
      'a(b)@example.com',
      'a..b@example.com',
      'a@-example.com',
      `${'x'.repeat(320)}@example.com`,
    ])('given the e-mail %j, then EMAIL_INVALID', (email) => {
      thenError('EMAIL_INVALID', { ...register, email });
    });

    it.each([
      ['blank', '  '],
      ['longer than 200 characters', 'x'.repeat(201)],
    ])('given a display name that is %s, then NAME_INVALID', (_label, displayName) => {
      thenError('NAME_INVALID', { ...register, displayName });
    });

    it('given no roles, then ROLES_REQUIRED', () => {
      thenError('ROLES_REQUIRED', { ...register, roles: [] });
    });

    it('given an unknown role, then ROLE_UNKNOWN', () => {
      thenError('ROLE_UNKNOWN', { ...register, roles: ['member', 'superuser'] });
    });

    it('given a contact with a role other than contact, then ROLE_NOT_ALLOWED_FOR_KIND', () => {
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', { ...register, kind: 'contact', roles: ['member'] });
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', { ...register, kind: 'contact', roles: ['contact', 'read_only'] });
    });

    it('given a human or an api user with the contact role, then ROLE_NOT_ALLOWED_FOR_KIND', () => {
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', { ...register, roles: ['contact'] });
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', { ...register, kind: 'api', roles: ['contact'] });
    });

    it('given an api user with account_admin, then ROLE_NOT_ALLOWED_FOR_KIND', () => {
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', { ...register, kind: 'api', email: undefined, roles: ['account_admin'] });
    });

    it('given an api user with member, read_only or api_user, then it is registered', () => {
      for (const role of ['member', 'read_only', 'api_user']) {
        expect(when({ ...register, kind: 'api', email: undefined, roles: [role] })).toHaveLength(2);
      }
    });
  });

  describe('state', () => {
    it('given nothing, then none', () => {
      expect(given()).toEqual({ status: 'none' });
    });

    it('given a registration, then active with profile, home account and membership', () => {
      expect(given(registered, memberOfHome)).toEqual({
        status: 'active',
        userId: U,
        kind: 'human',
        email: 'ada@example.com',
        displayName: 'Ada Lovelace',
        homeAccountId: HOME,
        memberships: { [HOME]: { roles: ['member'], permissions: catalogue.resolve(['member']) } },
      });
    });

    it('given a membership removal, then the membership is gone', () => {
      const state = given(registered, memberOfHome, membership(OTHER, ['read_only']), membership(OTHER, []));
      expect(state.status === 'active' && Object.keys(state.memberships)).toEqual([HOME]);
    });

    it('given a deactivation and a reactivation, then the profile and memberships are kept', () => {
      const before = given(registered, memberOfHome);
      expect(given(registered, memberOfHome, deactivated)).toEqual({
        ...before,
        status: 'deactivated',
        deactivationReason: 'left',
      });
      expect(given(registered, memberOfHome, deactivated, reactivated)).toEqual(before);
    });
  });

  describe('ChangeMembership', () => {
    it('given an active user, when given roles in another account, then MembershipChanged with resolved permissions', () => {
      expect(when(change(OTHER, ['read_only']), registered, memberOfHome)).toEqual([membership(OTHER, ['read_only'])]);
    });

    it('given a member, when changing the roles, then MembershipChanged replacing them', () => {
      expect(when(change(HOME, ['account_admin']), registered, memberOfHome)).toEqual([
        membership(HOME, ['account_admin']),
      ]);
    });

    it('given a member, when the roles are set to none, then the membership is removed (no roles, no permissions)', () => {
      expect(when(change(HOME, []), registered, memberOfHome)).toEqual([
        { type: 'MembershipChanged', data: { userId: U, accountId: HOME, roles: [], permissions: [] } },
      ]);
    });

    it('given a non-member, when the roles are set to none, then NOT_A_MEMBER', () => {
      thenError('NOT_A_MEMBER', change(OTHER, []), registered, memberOfHome);
      thenError('NOT_A_MEMBER', change(HOME, []), registered, memberOfHome, membership(HOME, []));
    });

    it('given a member, when given the same roles (in any order, repeated), then no events', () => {
      const history = [registered, membership(HOME, ['member', 'read_only'])];
      expect(when(change(HOME, ['read_only', 'member']), ...history)).toEqual([]);
      expect(when(change(HOME, ['member', 'read_only', 'member']), ...history)).toEqual([]);
    });

    it('given the same roles but a catalogue with more record types, then the new permissions are recorded', () => {
      const wider = createRoleCatalogue(['requests', 'orders', 'incidents']);
      const [event] = when(
        { type: 'ChangeMembership', accountId: HOME, roles: ['member'], catalogue: wider },
        registered,
        memberOfHome,
      );
      expect(event.data).toEqual({
        userId: U,
        accountId: HOME,
        roles: ['member'],
        permissions: wider.resolve(['member']),
      });
    });

    it('given no user, then USER_NOT_FOUND', () => {
      thenError('USER_NOT_FOUND', change(HOME, ['member']));
    });

    it('given a deactivated user, then USER_DEACTIVATED', () => {
      thenError('USER_DEACTIVATED', change(OTHER, ['member']), registered, memberOfHome, deactivated);
      thenError('USER_DEACTIVATED', change(HOME, []), registered, memberOfHome, deactivated);
    });

    it('given a reactivated user, then memberships can change again', () => {
      expect(when(change(OTHER, ['member']), registered, memberOfHome, deactivated, reactivated)).toEqual([
        membership(OTHER, ['member']),
      ]);
    });

    it('given an unknown role, then ROLE_UNKNOWN', () => {
      thenError('ROLE_UNKNOWN', change(HOME, ['superuser']), registered, memberOfHome);
    });

    it('given a contact, when given a forbidden role, then ROLE_NOT_ALLOWED_FOR_KIND', () => {
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', change(OTHER, ['member']), contactRegistered);
      expect(when(change(OTHER, ['contact']), contactRegistered)).toHaveLength(1);
    });

    it('given an api user, when made account_admin, then ROLE_NOT_ALLOWED_FOR_KIND', () => {
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', change(HOME, ['account_admin']), apiRegistered);
    });

    it('given a human, when given the contact role, then ROLE_NOT_ALLOWED_FOR_KIND', () => {
      thenError('ROLE_NOT_ALLOWED_FOR_KIND', change(HOME, ['contact']), registered, memberOfHome);
    });
  });

  describe('DeactivateUser', () => {
    it('given an active user, then UserDeactivated with the trimmed reason', () => {
      expect(when({ type: 'DeactivateUser', reason: ' left ' }, registered, memberOfHome)).toEqual([deactivated]);
    });

    it('given a deactivated user, when deactivating again, then USER_ALREADY_DEACTIVATED', () => {
      thenError(
        'USER_ALREADY_DEACTIVATED',
        { type: 'DeactivateUser', reason: 'again' },
        registered,
        memberOfHome,
        deactivated,
      );
    });

    it('given no user, then USER_NOT_FOUND', () => {
      thenError('USER_NOT_FOUND', { type: 'DeactivateUser', reason: 'left' });
    });

    it.each(['', '   ', 'x'.repeat(501)])('given the reason %#, then REASON_INVALID', (reason) => {
      thenError('REASON_INVALID', { type: 'DeactivateUser', reason }, registered);
    });
  });

  describe('ReactivateUser', () => {
    it('given a deactivated user, then UserReactivated', () => {
      expect(when({ type: 'ReactivateUser' }, registered, memberOfHome, deactivated)).toEqual([reactivated]);
    });

    it('given an active user, then USER_NOT_DEACTIVATED', () => {
      thenError('USER_NOT_DEACTIVATED', { type: 'ReactivateUser' }, registered, memberOfHome);
      thenError('USER_NOT_DEACTIVATED', { type: 'ReactivateUser' }, registered, memberOfHome, deactivated, reactivated);
    });

    it('given no user, then USER_NOT_FOUND', () => {
      thenError('USER_NOT_FOUND', { type: 'ReactivateUser' });
    });
  });

  describe('passwords and login', () => {
    it('an active human or contact may have a password and log in', () => {
      for (const state of [given(registered, memberOfHome), given(contactRegistered)]) {
        expect(() => assertCanHavePassword(state)).not.toThrow();
        expect(canLogIn(state)).toBe(true);
      }
    });

    it('an api user never has a password nor logs in', () => {
      const state = given(apiRegistered);
      expect(errorOf(() => assertCanHavePassword(state)).code).toBe('PASSWORD_NOT_ALLOWED_FOR_KIND');
      expect(canLogIn(state)).toBe(false);
    });

    it('a user that does not exist: USER_NOT_FOUND, no login', () => {
      expect(errorOf(() => assertCanHavePassword(given())).code).toBe('USER_NOT_FOUND');
      expect(canLogIn(given())).toBe(false);
    });

    it('a deactivated user: USER_DEACTIVATED, no login; after reactivation, both again', () => {
      const state = given(registered, memberOfHome, deactivated);
      expect(errorOf(() => assertCanHavePassword(state)).code).toBe('USER_DEACTIVATED');
      expect(canLogIn(state)).toBe(false);
      expect(canLogIn(given(registered, memberOfHome, deactivated, reactivated))).toBe(true);
    });
  });

  it('names its stream by the user id', () => {
    expect(userStream(U)).toEqual({ type: 'user', id: U });
  });

  describe('contracts', () => {
    it('every emitted event validates against its schema in an identity-service envelope', () => {
      const human = when(register);
      const api = when({ ...register, kind: 'api', email: undefined, roles: ['api_user', 'member'] });
      const contact = when({ ...register, kind: 'contact', email: 'bob@customer.example', roles: ['contact'] });
      const admin = when(change(OTHER, ['account_admin']), ...human);
      const removal = when(change(HOME, []), ...human);
      const off = when({ type: 'DeactivateUser', reason: 'left' }, ...human);
      const on = when({ type: 'ReactivateUser' }, ...human, ...off);
      const streams = [human, api, contact, [...human, ...admin, ...removal, ...off, ...on]];
      const types = new Set<string>();
      for (const events of streams) {
        for (const envelope of envelopesOf('identity-service', 'user', U, events)) {
          types.add(envelope.type);
          expect(validateEvent(envelope)).toEqual({ ok: true, event: envelope });
        }
      }
      expect([...types].sort()).toEqual(['MembershipChanged', 'UserDeactivated', 'UserReactivated', 'UserRegistered']);
    });

    it('an envelope of another aggregate id is rejected (the check is real)', () => {
      const [envelope] = envelopesOf('identity-service', 'user', 'someone-else', when(register));
      expect(validateEvent(envelope).ok).toBe(false);
    });
  });
});

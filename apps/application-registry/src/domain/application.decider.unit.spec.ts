import { validateEvent } from '@latchkey/contracts';
import { deciderScenarios, envelopesOf } from '@latchkey/eventstore';
import { hashSecret } from '@latchkey/token-format';
import { PLATFORM_LIMITS, tightenLimits } from './application-limits';
import {
  applicationDecider as decider,
  applicationStream,
  type ApplicationChanges,
  type ApplicationCommand,
  type ApplicationEvent,
  type RegisterApplication,
  type Registrant,
} from './application.decider';
import { RegistryError } from './registry-error';

const { given, when, errorOf } = deciderScenarios(decider, RegistryError);
const thenError = (code: string, command: ApplicationCommand, ...history: ApplicationEvent[]) => {
  expect(errorOf(() => when(command, ...history)).code).toBe(code);
};

/** Every emitted event must validate against the contracts; the tests below send theirs here. */
const emitted: ApplicationEvent[] = [];
function decided(command: ApplicationCommand, ...history: ApplicationEvent[]): ApplicationEvent[] {
  const events = when(command, ...history);
  emitted.push(...events);
  return events;
}

const C = 'c7e9a1f2-4b3d-4c5e-9f6a-7b8c9d0e1f2a';
const OWNER = 'acct-owner';
const OTHER = 'acct-other';
const SECRET_HASH = hashSecret('lk_cs_first');
const NEW_SECRET_HASH = hashSecret('lk_cs_second');
const limits = PLATFORM_LIMITS;

const admin: Registrant = {
  permissions: { [OWNER]: ['orders:*', 'applications:*', 'users:read'], [OTHER]: ['orders:read'] },
  administers: [OWNER],
};
const member: Registrant = {
  permissions: { [OWNER]: ['orders:read', 'applications:create', 'applications:update'] },
  administers: [],
};

const register: RegisterApplication = {
  type: 'RegisterApplication',
  clientId: C,
  ownerAccountId: OWNER,
  name: 'Order Dashboard',
  description: 'Shows open orders.',
  clientType: 'confidential',
  redirectUris: ['https://dashboard.example.com/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  allowedScopes: ['orders:update', 'orders:read'],
  accountIds: [OWNER],
  firstParty: false,
  secretHash: SECRET_HASH,
  registrant: admin,
  limits,
};
const registerPublic: RegisterApplication = {
  ...register,
  clientType: 'public',
  secretHash: null,
  redirectUris: ['http://127.0.0.1/native'],
};

const registered: ApplicationEvent = {
  type: 'ApplicationRegistered',
  data: {
    clientId: C,
    ownerAccountId: OWNER,
    name: 'Order Dashboard',
    description: 'Shows open orders.',
    clientType: 'confidential',
    redirectUris: ['https://dashboard.example.com/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    allowedScopes: ['orders:read', 'orders:update'],
    accountIds: [OWNER],
    accessTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 1_209_600,
    firstParty: false,
    secretHash: SECRET_HASH,
  },
};
const { secretHash: _omit, ...publicData } = registered.data as Extract<
  ApplicationEvent,
  { type: 'ApplicationRegistered' }
>['data'];
const publicRegistered: ApplicationEvent = {
  type: 'ApplicationRegistered',
  data: { ...publicData, clientType: 'public', redirectUris: ['http://127.0.0.1/native'] },
};
const disabled: ApplicationEvent = {
  type: 'ApplicationDisabled',
  data: { clientId: C, reason: 'suspected compromise' },
};
const enabled: ApplicationEvent = { type: 'ApplicationEnabled', data: { clientId: C } };
const deleted: ApplicationEvent = { type: 'ApplicationDeleted', data: { clientId: C } };
const update = (changes: ApplicationChanges, registrant: Registrant = admin): ApplicationCommand => ({
  type: 'UpdateApplication',
  changes,
  registrant,
  limits,
});
const NOW = '2025-01-15T10:30:00.000Z';
const rotate = (overlapSeconds?: number): ApplicationCommand => ({
  type: 'RotateSecret',
  secretHash: NEW_SECRET_HASH,
  overlapSeconds,
  now: NOW,
  limits,
});

const allCommands: [string, ApplicationCommand][] = [
  ['RegisterApplication', register],
  ['UpdateApplication', update({ name: 'New name' })],
  ['RotateSecret', rotate(60)],
  ['DisableApplication', { type: 'DisableApplication' }],
  ['EnableApplication', { type: 'EnableApplication' }],
  ['DeleteApplication', { type: 'DeleteApplication' }],
];

describe('application decider', () => {
  describe('RegisterApplication', () => {
    it('given nothing, when registering a confidential client, then ApplicationRegistered with defaults and the secret hash', () => {
      expect(decided(register)).toEqual([registered]);
    });

    it('given a public client, then ApplicationRegistered without a secret hash', () => {
      const [event] = decided(registerPublic);
      expect(event).toEqual(publicRegistered);
      expect('secretHash' in event.data).toBe(false);
    });

    it('trims name and description, leaves out a blank description, sorts and dedupes scopes and accounts, orders grant types', () => {
      const [event] = decided({
        ...register,
        name: '  Order Dashboard ',
        description: '   ',
        grantTypes: ['refresh_token', 'authorization_code', 'refresh_token'],
        allowedScopes: ['orders:update', 'orders:read', 'orders:read'],
        accountIds: [OTHER, OWNER, OTHER],
        registrant: { ...admin, permissions: { ...admin.permissions, [OTHER]: ['orders:*'] } },
      });
      expect(event.data).toMatchObject({
        name: 'Order Dashboard',
        grantTypes: ['authorization_code', 'refresh_token'],
        allowedScopes: ['orders:read', 'orders:update'],
        accountIds: [OTHER, OWNER].sort(),
      });
      expect('description' in event.data).toBe(false);
      expect('description' in when({ ...register, description: null })[0].data).toBe(false);
      expect('description' in when({ ...register, description: undefined })[0].data).toBe(false);
    });

    it('keeps multi-line descriptions', () => {
      const [event] = decided({ ...register, description: 'Line one.\nLine two.\tTabbed.' });
      expect(event.data).toMatchObject({ description: 'Line one.\nLine two.\tTabbed.' });
    });

    it('given a registered, disabled application, when registering again, then APPLICATION_EXISTS', () => {
      thenError('APPLICATION_EXISTS', register, registered);
      thenError('APPLICATION_EXISTS', register, registered, disabled);
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['longer than 200 characters', 'x'.repeat(201)],
      ['with a control character', 'Order\u0007Dashboard'],
      ['with a line break', 'Order\nDashboard'],
    ])('given a name that is %s, then NAME_INVALID', (_label, name) => {
      thenError('NAME_INVALID', { ...register, name });
    });

    it('given a name of 200 characters, then it is accepted', () => {
      expect(decided({ ...register, name: 'x'.repeat(200) })[0].data).toMatchObject({ name: 'x'.repeat(200) });
    });

    it.each([
      ['longer than 2000 characters', 'x'.repeat(2001)],
      ['with a control character', 'bad\u0000text'],
    ])('given a description that is %s, then DESCRIPTION_INVALID', (_label, description) => {
      thenError('DESCRIPTION_INVALID', { ...register, description });
    });

    it('given an unknown client type, then CLIENT_TYPE_INVALID', () => {
      thenError('CLIENT_TYPE_INVALID', { ...register, clientType: 'native' as never });
    });

    describe('redirect URIs', () => {
      it('given the same redirect URI twice, then REDIRECT_URI_DUPLICATE', () => {
        thenError('REDIRECT_URI_DUPLICATE', {
          ...register,
          redirectUris: ['https://a.example.com/cb', 'https://b.example.com/cb', 'https://a.example.com/cb'],
        });
      });

      it.each([
        ['a fragment', 'https://dashboard.example.com/cb#x'],
        ['javascript:', 'javascript:alert(1)'],
        ['data:', 'data:text/html,hi'],
        ['a wildcard', 'https://*.example.com/cb'],
        ['http on a non-loopback host', 'http://dashboard.example.com/cb'],
        ['userinfo', 'https://me@dashboard.example.com/cb'],
        ['a relative URI', '/cb'],
        ['a non-canonical URI', 'HTTPS://Dashboard.example.com/cb'],
        ['a default port', 'https://dashboard.example.com:443/cb'],
        [
          '2001 characters',
          `https://dashboard.example.com/${'a'.repeat(2001 - 'https://dashboard.example.com/'.length)}`,
        ],
      ])('given a redirect URI with %s, then REDIRECT_URI_INVALID', (_label, uri) => {
        thenError('REDIRECT_URI_INVALID', { ...register, redirectUris: ['https://ok.example.com/cb', uri] });
      });

      it('given 100 redirect URIs, then accepted; given 101, then REDIRECT_URIS_TOO_MANY', () => {
        const uris = (n: number) => Array.from({ length: n }, (_, i) => `https://dashboard.example.com/cb/${i}`);
        expect(decided({ ...register, redirectUris: uris(100) })[0].data).toMatchObject({ redirectUris: uris(100) });
        thenError('REDIRECT_URIS_TOO_MANY', { ...register, redirectUris: uris(101) });
      });

      it('given authorization_code without a redirect URI, then REDIRECT_URI_REQUIRED', () => {
        thenError('REDIRECT_URI_REQUIRED', { ...register, redirectUris: [] });
      });

      it('given only client_credentials, then no redirect URI is needed', () => {
        const [event] = decided({ ...register, redirectUris: [], grantTypes: ['client_credentials'] });
        expect(event.data).toMatchObject({ redirectUris: [], grantTypes: ['client_credentials'] });
      });

      it('keeps the redirect URIs exactly as given, in order', () => {
        const redirectUris = ['https://b.example.com/cb?x=1', 'http://[::1]:8080/cb', 'https://a.example.com/cb'];
        expect(decided({ ...register, redirectUris })[0].data).toMatchObject({ redirectUris });
      });
    });

    describe('grant types', () => {
      it('given refresh_token without authorization_code, then GRANT_TYPES_INCONSISTENT', () => {
        thenError('GRANT_TYPES_INCONSISTENT', { ...register, grantTypes: ['refresh_token'] });
        thenError('GRANT_TYPES_INCONSISTENT', { ...register, grantTypes: ['client_credentials', 'refresh_token'] });
      });

      it('given client_credentials on a public client, then GRANT_TYPE_NOT_ALLOWED', () => {
        thenError('GRANT_TYPE_NOT_ALLOWED', { ...registerPublic, grantTypes: ['client_credentials'] });
        thenError('GRANT_TYPE_NOT_ALLOWED', {
          ...registerPublic,
          grantTypes: ['authorization_code', 'client_credentials'],
        });
      });

      it('given client_credentials on a confidential client, then accepted', () => {
        expect(decided({ ...register, grantTypes: ['authorization_code', 'client_credentials'] })).toHaveLength(1);
      });

      it('given no grant type, then GRANT_TYPE_REQUIRED', () => {
        thenError('GRANT_TYPE_REQUIRED', { ...register, grantTypes: [] });
      });

      it('given an unknown grant type, then GRANT_TYPE_NOT_ALLOWED', () => {
        thenError('GRANT_TYPE_NOT_ALLOWED', { ...register, grantTypes: ['authorization_code', 'password' as never] });
        thenError('GRANT_TYPE_NOT_ALLOWED', { ...register, grantTypes: ['implicit' as never] });
      });
    });

    describe('scopes and accounts', () => {
      it('given a malformed scope, then SCOPE_INVALID', () => {
        thenError('SCOPE_INVALID', { ...register, allowedScopes: ['orders:read', 'orders'] });
        thenError('SCOPE_INVALID', { ...register, allowedScopes: ['Orders:read'] });
        thenError('SCOPE_INVALID', { ...register, allowedScopes: ['orders:publish'] });
      });

      it('given a scope beyond what the registering admin holds, then SCOPE_NOT_HELD', () => {
        thenError('SCOPE_NOT_HELD', { ...register, allowedScopes: ['orders:read', 'invoices:read'] });
        thenError('SCOPE_NOT_HELD', { ...register, allowedScopes: ['users:update'] });
        thenError('SCOPE_NOT_HELD', { ...register, registrant: member, allowedScopes: ['orders:update'] });
      });

      it('given a wildcard scope, then it needs the wildcard: orders:read does not cover orders:*', () => {
        thenError('SCOPE_NOT_HELD', { ...register, registrant: member, allowedScopes: ['orders:*'] });
        expect(decided({ ...register, allowedScopes: ['orders:*', 'orders:delete'] })[0].data).toMatchObject({
          allowedScopes: ['orders:*', 'orders:delete'],
        });
      });

      it('given a registrant whose resource:* covers the scopes, then accepted', () => {
        expect(
          decided({ ...register, allowedScopes: ['orders:create', 'orders:delete', 'applications:read'] }),
        ).toHaveLength(1);
      });

      it('given no scopes, then accepted (the application may request nothing)', () => {
        expect(decided({ ...register, allowedScopes: [] })[0].data).toMatchObject({ allowedScopes: [] });
      });

      it('given another account, then each scope must be held there too', () => {
        expect(decided({ ...register, allowedScopes: ['orders:read'], accountIds: [OWNER, OTHER] })).toHaveLength(1);
        thenError('SCOPE_NOT_HELD', {
          ...register,
          allowedScopes: ['orders:read', 'orders:update'],
          accountIds: [OWNER, OTHER],
        });
      });

      it('given an account where the registrant holds nothing, then ACCOUNT_NOT_HELD', () => {
        thenError('ACCOUNT_NOT_HELD', { ...register, accountIds: [OWNER, 'acct-stranger'] });
        thenError('ACCOUNT_NOT_HELD', { ...register, accountIds: [OWNER, 'constructor'] });
        thenError('ACCOUNT_NOT_HELD', {
          ...register,
          registrant: { permissions: { [OWNER]: ['orders:*'], [OTHER]: [] }, administers: [] },
          accountIds: [OWNER, OTHER],
        });
      });

      it('given an owner account the registrant holds nothing in, then ACCOUNT_NOT_HELD', () => {
        thenError('ACCOUNT_NOT_HELD', { ...register, ownerAccountId: OTHER + '-x', accountIds: [OTHER + '-x'] });
      });

      it('given accounts without the owner account, or none, then OWNER_ACCOUNT_REQUIRED', () => {
        thenError('OWNER_ACCOUNT_REQUIRED', { ...register, accountIds: [OTHER] });
        thenError('OWNER_ACCOUNT_REQUIRED', { ...register, accountIds: [] });
      });
    });

    describe('pushed authorization requests (RFC 9126)', () => {
      it('given no setting, then the event leaves the field out (absent means false)', () => {
        expect(decided(register)[0].data).not.toHaveProperty('requirePushedAuthorizationRequests');
      });

      it('given the requirement, then the event records it and the state holds it', () => {
        const events = decided({ ...register, requirePushedAuthorizationRequests: true });
        expect(events[0].data).toMatchObject({ requirePushedAuthorizationRequests: true });
        expect(given(...events)).toMatchObject({ requirePushedAuthorizationRequests: true });
      });

      it('given an update of only that setting, then one event with it; the same value again, then none', () => {
        expect(decided(update({ requirePushedAuthorizationRequests: true }), registered)).toEqual([
          { type: 'ApplicationUpdated', data: { clientId: C, requirePushedAuthorizationRequests: true } },
        ]);
        expect(when(update({ requirePushedAuthorizationRequests: false }), registered)).toEqual([]);
      });
    });

    describe('first party', () => {
      it('given a registrant who administers the owner account, then a first-party application', () => {
        expect(decided({ ...register, firstParty: true })[0].data).toMatchObject({ firstParty: true });
      });

      it('given a registrant who does not administer the owner account, then FIRST_PARTY_NOT_ALLOWED', () => {
        thenError('FIRST_PARTY_NOT_ALLOWED', {
          ...register,
          firstParty: true,
          registrant: { ...admin, administers: [OTHER] },
        });
        thenError('FIRST_PARTY_NOT_ALLOWED', {
          ...register,
          firstParty: true,
          registrant: member,
          allowedScopes: ['orders:read'],
        });
      });
    });

    describe('token lifetimes', () => {
      it('given no TTLs, then the defaults (1 hour, 14 days)', () => {
        expect(decided(register)[0].data).toMatchObject({
          accessTokenTtlSeconds: 3600,
          refreshTokenTtlSeconds: 1_209_600,
        });
      });

      it("given a deployment's tightened limits, then its defaults", () => {
        const tight = tightenLimits({
          accessTokenTtlSeconds: { max: 900, default: 300 },
          refreshTokenTtlSeconds: { default: 86_400 },
        });
        expect(decided({ ...register, limits: tight })[0].data).toMatchObject({
          accessTokenTtlSeconds: 300,
          refreshTokenTtlSeconds: 86_400,
        });
        thenError('TTL_OUT_OF_BOUNDS', { ...register, limits: tight, accessTokenTtlSeconds: 901 });
      });

      it('given TTLs on the bounds, then accepted', () => {
        expect(decided({ ...register, accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 3600 })[0].data).toMatchObject(
          {
            accessTokenTtlSeconds: 60,
            refreshTokenTtlSeconds: 3600,
          },
        );
        expect(
          decided({ ...register, accessTokenTtlSeconds: 86_400, refreshTokenTtlSeconds: 7_776_000 })[0].data,
        ).toMatchObject({
          accessTokenTtlSeconds: 86_400,
          refreshTokenTtlSeconds: 7_776_000,
        });
      });

      it.each([
        ['access below 60 s', { accessTokenTtlSeconds: 59 }],
        ['access above a day', { accessTokenTtlSeconds: 86_401 }],
        ['access not whole', { accessTokenTtlSeconds: 600.5 }],
        ['access zero', { accessTokenTtlSeconds: 0 }],
        ['refresh below an hour', { refreshTokenTtlSeconds: 3599 }],
        ['refresh above 90 days', { refreshTokenTtlSeconds: 7_776_001 }],
        ['refresh below access', { accessTokenTtlSeconds: 86_400, refreshTokenTtlSeconds: 7200 }],
      ])('given %s, then TTL_OUT_OF_BOUNDS', (_label, ttls) => {
        thenError('TTL_OUT_OF_BOUNDS', { ...register, ...ttls });
      });
    });

    describe('secret', () => {
      it('given a confidential client without a secret hash, then SECRET_REQUIRED (a handler bug)', () => {
        thenError('SECRET_REQUIRED', { ...register, secretHash: null });
      });

      it('given something that is not a SHA-256 hash (e.g. the secret itself), then SECRET_REQUIRED', () => {
        thenError('SECRET_REQUIRED', {
          ...register,
          secretHash: 'lk_cs_4n0tAHashButTheSecretItselfWhichMustNeverBeStored0123456',
        });
        thenError('SECRET_REQUIRED', { ...register, secretHash: '' });
      });

      it('given a public client with a secret hash, then NO_SECRET_FOR_PUBLIC_CLIENT', () => {
        thenError('NO_SECRET_FOR_PUBLIC_CLIENT', { ...registerPublic, secretHash: SECRET_HASH });
      });
    });
  });

  describe('UpdateApplication', () => {
    it('emits only the fields that change', () => {
      const events = decided(
        update({
          name: 'Order Dashboard',
          description: 'Shows open orders.',
          allowedScopes: ['orders:read'],
          accessTokenTtlSeconds: 900,
        }),
        registered,
      );
      expect(events).toEqual([
        {
          type: 'ApplicationUpdated',
          data: { clientId: C, allowedScopes: ['orders:read'], accessTokenTtlSeconds: 900 },
        },
      ]);
    });

    it('emits each field when it changes', () => {
      const changes: ApplicationChanges = {
        name: ' Dashboard ',
        description: 'New text.',
        redirectUris: ['https://dashboard.example.com/cb', 'https://dashboard.example.com/cb2'],
        grantTypes: ['client_credentials', 'authorization_code'],
        allowedScopes: ['orders:read'],
        accountIds: [OTHER, OWNER],
        accessTokenTtlSeconds: 600,
        refreshTokenTtlSeconds: 86_400,
        firstParty: true,
      };
      expect(decided(update(changes), registered)).toEqual([
        {
          type: 'ApplicationUpdated',
          data: {
            clientId: C,
            name: 'Dashboard',
            description: 'New text.',
            redirectUris: ['https://dashboard.example.com/cb', 'https://dashboard.example.com/cb2'],
            grantTypes: ['authorization_code', 'client_credentials'],
            allowedScopes: ['orders:read'],
            accountIds: [OTHER, OWNER].sort(),
            accessTokenTtlSeconds: 600,
            refreshTokenTtlSeconds: 86_400,
            firstParty: true,
          },
        },
      ]);
    });

    it('given values equal to the current ones (after normalization), then no events', () => {
      expect(
        when(
          update({
            name: '  Order Dashboard  ',
            allowedScopes: ['orders:update', 'orders:read', 'orders:read'],
            grantTypes: ['refresh_token', 'authorization_code'],
          }),
          registered,
        ),
      ).toEqual([]);
      expect(when(update({ accessTokenTtlSeconds: 3600, firstParty: false }), registered)).toEqual([]);
    });

    it('given no field at all, then NOTHING_TO_UPDATE', () => {
      thenError('NOTHING_TO_UPDATE', update({}), registered);
      thenError('NOTHING_TO_UPDATE', update({ name: undefined }), registered);
    });

    it('given a disabled application, then it can still be updated', () => {
      expect(decided(update({ name: 'Renamed' }), registered, disabled)).toEqual([
        { type: 'ApplicationUpdated', data: { clientId: C, name: 'Renamed' } },
      ]);
    });

    it('given nothing, then APPLICATION_NOT_FOUND', () => {
      thenError('APPLICATION_NOT_FOUND', update({ name: 'x' }));
    });

    it('given a blank description, then DESCRIPTION_INVALID (a description can be replaced, not removed)', () => {
      thenError('DESCRIPTION_INVALID', update({ description: '  ' }), registered);
    });

    it('validates the resulting whole application', () => {
      thenError('REDIRECT_URI_REQUIRED', update({ redirectUris: [] }), registered);
      thenError('GRANT_TYPES_INCONSISTENT', update({ grantTypes: ['refresh_token'] }), registered);
      thenError('GRANT_TYPE_NOT_ALLOWED', update({ grantTypes: ['client_credentials'] }), publicRegistered);
      thenError('TTL_OUT_OF_BOUNDS', update({ accessTokenTtlSeconds: 59 }), registered);
      thenError('TTL_OUT_OF_BOUNDS', update({ refreshTokenTtlSeconds: 3000 }), registered);
      thenError(
        'TTL_OUT_OF_BOUNDS',
        update({ accessTokenTtlSeconds: 86_400, refreshTokenTtlSeconds: 7200 }),
        registered,
      );
      thenError('OWNER_ACCOUNT_REQUIRED', update({ accountIds: [OTHER] }), registered);
      thenError(
        'REDIRECT_URI_DUPLICATE',
        update({ redirectUris: ['https://x.example.com/cb', 'https://x.example.com/cb'] }),
        registered,
      );
      thenError('REDIRECT_URI_INVALID', update({ redirectUris: ['https://x.example.com/cb#frag'] }), registered);
      thenError('NAME_INVALID', update({ name: ' ' }), registered);
      thenError('SCOPE_INVALID', update({ allowedScopes: ['nope'] }), registered);
      thenError('GRANT_TYPE_REQUIRED', update({ grantTypes: [] }), registered);
    });

    it('allows dropping redirect URIs when authorization_code goes too', () => {
      expect(decided(update({ redirectUris: [], grantTypes: ['client_credentials'] }), registered)).toEqual([
        { type: 'ApplicationUpdated', data: { clientId: C, redirectUris: [], grantTypes: ['client_credentials'] } },
      ]);
    });

    it('given a scope the updater does not hold, then SCOPE_NOT_HELD', () => {
      thenError('SCOPE_NOT_HELD', update({ allowedScopes: ['orders:read', 'invoices:read'] }), registered);
      thenError(
        'SCOPE_NOT_HELD',
        update({ allowedScopes: ['orders:read', 'orders:update', 'orders:delete'] }, member),
        registered,
      );
    });

    it('given an account the updater holds nothing in, then ACCOUNT_NOT_HELD', () => {
      thenError('ACCOUNT_NOT_HELD', update({ accountIds: [OWNER, 'acct-stranger'] }), registered);
    });

    it('given a new account, then every scope must be held there', () => {
      thenError('SCOPE_NOT_HELD', update({ accountIds: [OWNER, OTHER] }), registered);
      expect(decided(update({ accountIds: [OWNER, OTHER], allowedScopes: ['orders:read'] }), registered)).toHaveLength(
        1,
      );
    });

    it('lets an updater who holds less narrow the application or change unrelated fields', () => {
      expect(decided(update({ allowedScopes: ['orders:read'] }, member), registered)).toHaveLength(1);
      expect(decided(update({ name: 'Renamed' }, member), registered)).toHaveLength(1);
      const firstPartyWide: ApplicationEvent = {
        type: 'ApplicationUpdated',
        data: { clientId: C, firstParty: true, accountIds: [OTHER, OWNER].sort(), allowedScopes: ['orders:read'] },
      };
      expect(
        decided(update({ firstParty: false, accountIds: [OWNER] }, member), registered, firstPartyWide),
      ).toHaveLength(1);
    });

    it('given firstParty by an updater who does not administer the owner account, then FIRST_PARTY_NOT_ALLOWED', () => {
      thenError('FIRST_PARTY_NOT_ALLOWED', update({ firstParty: true }, member), registered);
      expect(decided(update({ firstParty: true }), registered)).toHaveLength(1);
    });
  });

  describe('RotateSecret', () => {
    it('emits the new hash and the end of the overlap (now + overlap)', () => {
      expect(decided(rotate(3600), registered)).toEqual([
        {
          type: 'ApplicationSecretRotated',
          data: { clientId: C, secretHash: NEW_SECRET_HASH, previousSecretValidUntil: '2025-01-15T11:30:00.000Z' },
        },
      ]);
    });

    it('given no overlap, then the default of one day', () => {
      expect(decided(rotate(undefined), registered)[0].data).toMatchObject({
        previousSecretValidUntil: '2025-01-16T10:30:00.000Z',
      });
    });

    it('given an overlap of 0, then the previous secret is rejected at once (null)', () => {
      expect(decided(rotate(0), registered)[0].data).toMatchObject({ previousSecretValidUntil: null });
    });

    it('given an overlap outside 0..7 days or not whole, then OVERLAP_OUT_OF_BOUNDS', () => {
      thenError('OVERLAP_OUT_OF_BOUNDS', rotate(-1), registered);
      thenError('OVERLAP_OUT_OF_BOUNDS', rotate(604_801), registered);
      thenError('OVERLAP_OUT_OF_BOUNDS', rotate(1.5), registered);
      expect(decided(rotate(604_800), registered)[0].data).toMatchObject({
        previousSecretValidUntil: '2025-01-22T10:30:00.000Z',
      });
    });

    it('given a public client, then NO_SECRET_FOR_PUBLIC_CLIENT', () => {
      thenError('NO_SECRET_FOR_PUBLIC_CLIENT', rotate(60), publicRegistered);
    });

    it('given a disabled application, then the secret can still be rotated', () => {
      expect(decided(rotate(0), registered, disabled)).toHaveLength(1);
    });

    it('given a bad hash, then SECRET_REQUIRED; given a bad time, then a plain Error (a handler bug)', () => {
      thenError('SECRET_REQUIRED', { type: 'RotateSecret', secretHash: 'lk_cs_raw', now: NOW, limits }, registered);
      expect(() =>
        when({ type: 'RotateSecret', secretHash: NEW_SECRET_HASH, now: 'yesterday', limits }, registered),
      ).toThrow(/ISO-8601/);
    });

    it('given nothing, then APPLICATION_NOT_FOUND', () => {
      thenError('APPLICATION_NOT_FOUND', rotate(60));
    });
  });

  describe('DisableApplication, EnableApplication, DeleteApplication', () => {
    it('disables with a trimmed reason, or without one', () => {
      expect(decided({ type: 'DisableApplication', reason: ' suspected compromise ' }, registered)).toEqual([disabled]);
      expect(decided({ type: 'DisableApplication' }, registered)).toEqual([
        { type: 'ApplicationDisabled', data: { clientId: C } },
      ]);
      expect(decided({ type: 'DisableApplication', reason: '  ' }, registered)).toEqual([
        { type: 'ApplicationDisabled', data: { clientId: C } },
      ]);
    });

    it('given a reason longer than 500 characters, then REASON_INVALID', () => {
      thenError('REASON_INVALID', { type: 'DisableApplication', reason: 'x'.repeat(501) }, registered);
    });

    it('given a disabled application, when disabling twice, then ALREADY_DISABLED', () => {
      thenError('ALREADY_DISABLED', { type: 'DisableApplication' }, registered, disabled);
    });

    it('given a disabled application, when enabling, then ApplicationEnabled', () => {
      expect(decided({ type: 'EnableApplication' }, registered, disabled)).toEqual([enabled]);
    });

    it('given an enabled application, when enabling, then NOT_DISABLED', () => {
      thenError('NOT_DISABLED', { type: 'EnableApplication' }, registered);
      thenError('NOT_DISABLED', { type: 'EnableApplication' }, registered, disabled, enabled);
    });

    it('deletes an enabled or a disabled application', () => {
      expect(decided({ type: 'DeleteApplication' }, registered)).toEqual([deleted]);
      expect(decided({ type: 'DeleteApplication' }, registered, disabled)).toEqual([deleted]);
    });

    it.each([['DisableApplication'], ['EnableApplication'], ['DeleteApplication']] as const)(
      'given nothing, when %s, then APPLICATION_NOT_FOUND',
      (type) => {
        thenError('APPLICATION_NOT_FOUND', { type });
      },
    );
  });

  describe('a deleted application', () => {
    it.each(allCommands)('when %s, then APPLICATION_DELETED', (_type, command) => {
      thenError('APPLICATION_DELETED', command, registered, deleted);
      thenError('APPLICATION_DELETED', command, registered, disabled, deleted);
    });
  });

  describe('state', () => {
    it('given nothing, then none', () => {
      expect(given()).toEqual({ status: 'none' });
    });

    it('given a registration, then enabled with the settings and the secret hash', () => {
      expect(given(registered)).toEqual({
        status: 'enabled',
        clientId: C,
        ownerAccountId: OWNER,
        clientType: 'confidential',
        console: false,
        name: 'Order Dashboard',
        description: 'Shows open orders.',
        redirectUris: ['https://dashboard.example.com/cb'],
        grantTypes: ['authorization_code', 'refresh_token'],
        allowedScopes: ['orders:read', 'orders:update'],
        accountIds: [OWNER],
        accessTokenTtlSeconds: 3600,
        refreshTokenTtlSeconds: 1_209_600,
        firstParty: false,
        requirePushedAuthorizationRequests: false,
        secret: { currentHash: SECRET_HASH, previousHash: null, previousValidUntil: null },
      });
    });

    it('given a registration and an update requiring pushed requests, then required; a later update lifts it', () => {
      const requiring: ApplicationEvent = {
        type: 'ApplicationUpdated',
        data: { clientId: C, requirePushedAuthorizationRequests: true },
      };
      expect(given(registered, requiring)).toMatchObject({ requirePushedAuthorizationRequests: true });
      expect(
        given(registered, requiring, {
          type: 'ApplicationUpdated',
          data: { clientId: C, requirePushedAuthorizationRequests: false },
        }),
      ).toMatchObject({ requirePushedAuthorizationRequests: false });
    });

    it('given a public registration, then no secret and a null description when none', () => {
      const { description: _d, ...data } = (
        publicRegistered as Extract<ApplicationEvent, { type: 'ApplicationRegistered' }>
      ).data;
      expect(given({ type: 'ApplicationRegistered', data })).toMatchObject({
        clientType: 'public',
        secret: null,
        description: null,
      });
    });

    it('given an update, then only the updated fields change and the status is kept', () => {
      const state = given(registered, disabled, {
        type: 'ApplicationUpdated',
        data: { clientId: C, name: 'Renamed', allowedScopes: ['orders:read'] },
      });
      expect(state).toEqual({
        ...given(registered),
        status: 'disabled',
        disabledReason: 'suspected compromise',
        name: 'Renamed',
        allowedScopes: ['orders:read'],
      });
    });

    it('given a rotation with an overlap, then the previous hash is kept until its end', () => {
      const rotated: ApplicationEvent = {
        type: 'ApplicationSecretRotated',
        data: { clientId: C, secretHash: NEW_SECRET_HASH, previousSecretValidUntil: '2025-01-16T10:30:00.000Z' },
      };
      expect(given(registered, rotated)).toMatchObject({
        secret: {
          currentHash: NEW_SECRET_HASH,
          previousHash: SECRET_HASH,
          previousValidUntil: '2025-01-16T10:30:00.000Z',
        },
      });
    });

    it('given a rotation without overlap, then no previous hash', () => {
      const rotated: ApplicationEvent = {
        type: 'ApplicationSecretRotated',
        data: { clientId: C, secretHash: NEW_SECRET_HASH, previousSecretValidUntil: null },
      };
      expect(given(registered, rotated)).toMatchObject({
        secret: { currentHash: NEW_SECRET_HASH, previousHash: null, previousValidUntil: null },
      });
    });

    it('given disable, enable and delete, then the status follows and the profile is kept', () => {
      const profile = given(registered);
      expect(given(registered, disabled)).toEqual({
        ...profile,
        status: 'disabled',
        disabledReason: 'suspected compromise',
      });
      expect(given(registered, { type: 'ApplicationDisabled', data: { clientId: C } })).toMatchObject({
        status: 'disabled',
        disabledReason: null,
      });
      expect(given(registered, disabled, enabled)).toEqual(profile);
      expect(given(registered, disabled, deleted)).toEqual({ ...profile, status: 'deleted' });
    });

    it('ignores events for an application it never saw', () => {
      for (const event of [
        disabled,
        enabled,
        deleted,
        { type: 'ApplicationUpdated', data: { clientId: C, name: 'x' } } as ApplicationEvent,
      ]) {
        expect(given(event)).toEqual({ status: 'none' });
      }
    });
  });

  describe('the console’s registration (RegisterConsole, at the registry’s start)', () => {
    const registerConsole = {
      type: 'RegisterConsole' as const,
      clientId: C,
      ownerAccountId: OWNER,
      redirectUris: ['http://127.0.0.1:3000/callback'],
      limits,
    };

    it('registers a public first-party client flagged as the console, with no scope or account ceiling of its own', () => {
      const [event] = decided(registerConsole);
      expect(event).toEqual({
        type: 'ApplicationRegistered',
        data: expect.objectContaining({
          clientId: C,
          clientType: 'public',
          firstParty: true,
          console: true,
          grantTypes: ['authorization_code', 'refresh_token'],
          allowedScopes: [],
          accountIds: [OWNER],
          redirectUris: ['http://127.0.0.1:3000/callback'],
          accessTokenTtlSeconds: 3600,
          refreshTokenTtlSeconds: 1_209_600,
        }),
      });
      expect(given(event)).toMatchObject({ status: 'enabled', console: true });
    });

    it('is idempotent: registered already, nothing; a changed redirect URI, one update; deleted stays deleted', () => {
      const [event] = decided(registerConsole);
      expect(decided(registerConsole, event)).toEqual([]);
      expect(decided({ ...registerConsole, redirectUris: ['https://console.example.com/callback'] }, event)).toEqual([
        { type: 'ApplicationUpdated', data: { clientId: C, redirectUris: ['https://console.example.com/callback'] } },
      ]);
      const deleted: ApplicationEvent = { type: 'ApplicationDeleted', data: { clientId: C } };
      expect(decided({ ...registerConsole, redirectUris: ['https://x.example.com/cb'] }, event, deleted)).toEqual([]);
    });

    it('refuses a redirect URI that is no redirect URI, and an ordinary application under the console’s id', () => {
      thenError('REDIRECT_URI_REQUIRED', { ...registerConsole, redirectUris: [] });
      thenError('REDIRECT_URI_INVALID', { ...registerConsole, redirectUris: ['not a uri'] });
      thenError('APPLICATION_EXISTS', registerConsole, registered);
    });

    it('through the API it may be disabled and enabled, not changed or deleted', () => {
      const [event] = decided(registerConsole);
      thenError(
        'CONSOLE_MANAGED',
        { type: 'UpdateApplication', changes: { name: 'Mine' }, registrant: admin, limits },
        event,
      );
      thenError('CONSOLE_MANAGED', { type: 'DeleteApplication' }, event);
      const [disabled] = decided({ type: 'DisableApplication' }, event);
      expect(disabled.type).toBe('ApplicationDisabled');
      expect(decided({ type: 'EnableApplication' }, event, disabled)[0].type).toBe('ApplicationEnabled');
    });
  });

  it('names its stream by the client id', () => {
    expect(applicationStream(C)).toEqual({ type: 'application', id: C });
  });

  it('throws on an unknown command or event', () => {
    expect(() => when({ type: 'Nope' } as never)).toThrow(/unknown application command/);
    expect(() => given({ type: 'Nope', data: {} } as never)).toThrow(/unknown application event/);
  });

  // Runs last: every event a test above had the decider emit.
  it('emits only events that validate against the contracts, with no secret in them', () => {
    expect(emitted.length).toBeGreaterThan(30);
    expect(new Set(emitted.map((event) => event.type))).toEqual(
      new Set([
        'ApplicationRegistered',
        'ApplicationUpdated',
        'ApplicationSecretRotated',
        'ApplicationDisabled',
        'ApplicationEnabled',
        'ApplicationDeleted',
      ]),
    );
    for (const envelope of envelopesOf('application-registry', 'application', C, emitted)) {
      expect(validateEvent(envelope)).toEqual({ ok: true, event: envelope });
      expect(JSON.stringify(envelope)).not.toMatch(/lk_cs_/);
    }
  });
});

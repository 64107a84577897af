import { isScope } from '@latchkey/contracts';
import { IdentityError } from '../identity-error';
import { BUILT_IN_ROLES, createRoleCatalogue, expandScope, PLATFORM_RESOURCES } from './role-catalogue';

const CRUD = (resource: string) => ['create', 'delete', 'read', 'update'].map((action) => `${resource}:${action}`);

describe('role catalogue', () => {
  const catalogue = createRoleCatalogue(['requests', 'incidents', 'orders']);

  it('defines the built-in roles, each with a description and the kinds that may hold it', () => {
    expect(catalogue.roles.map((role) => role.name)).toEqual([...BUILT_IN_ROLES]);
    for (const role of catalogue.roles) {
      expect(role.description.length).toBeGreaterThan(0);
      expect(role.allowedKinds.length).toBeGreaterThan(0);
    }
  });

  it('given a wildcard scope, when expanded, then it stands for the four actions', () => {
    expect(expandScope('orders:*')).toEqual(['orders:create', 'orders:read', 'orders:update', 'orders:delete']);
    expect(expandScope('orders:read')).toEqual(['orders:read']);
  });

  it('account_admin holds wildcards that resolve to every action on platform resources and record types', () => {
    const admin = catalogue.roles.find((role) => role.name === 'account_admin')!;
    expect(admin.permissions).toContain('accounts:*');
    expect(catalogue.resolve(['account_admin'])).toEqual(
      [...PLATFORM_RESOURCES, 'requests', 'incidents', 'orders'].flatMap(CRUD).sort(),
    );
  });

  it('account_admin alone administers the tokens and grants of the account (account_tokens:*)', () => {
    expect(PLATFORM_RESOURCES).toContain('account_tokens');
    expect(catalogue.resolve(['account_admin'])).toEqual(expect.arrayContaining(CRUD('account_tokens')));
    for (const role of BUILT_IN_ROLES.filter((name) => name !== 'account_admin'))
      expect({ role, admin: catalogue.resolve([role]).filter((s) => s.startsWith('account_tokens:')) }).toEqual({
        role,
        admin: [],
      });
  });

  it('member works on records, manages own tokens and authorizations, and reads applications and users', () => {
    expect(catalogue.resolve(['member'])).toEqual(
      [
        ...CRUD('requests'),
        ...CRUD('incidents'),
        ...CRUD('orders'),
        'personal_access_tokens:create',
        'personal_access_tokens:read',
        'personal_access_tokens:delete',
        'grants:read',
        'grants:delete',
        'applications:read',
        'users:read',
      ].sort(),
    );
  });

  it('read_only reads records and manages own tokens and authorizations', () => {
    expect(catalogue.resolve(['read_only'])).toEqual([
      'grants:delete',
      'grants:read',
      'incidents:read',
      'orders:read',
      'personal_access_tokens:create',
      'personal_access_tokens:delete',
      'personal_access_tokens:read',
      'requests:read',
    ]);
  });

  it('api_user creates, reads and updates records; contact only reads them', () => {
    expect(catalogue.resolve(['api_user'])).toEqual(
      ['create', 'read', 'update'].flatMap((a) => ['incidents', 'orders', 'requests'].map((r) => `${r}:${a}`)).sort(),
    );
    expect(catalogue.resolve(['contact'])).toEqual(['incidents:read', 'orders:read', 'requests:read']);
  });

  it('given several roles, when resolved, then the permissions are sorted, unique, expanded and valid scopes', () => {
    const permissions = catalogue.resolve(['read_only', 'member', 'read_only']);
    expect(permissions).toEqual([...new Set(permissions)].sort());
    expect(permissions).toEqual(catalogue.resolve(['member']));
    expect(permissions.every((scope) => isScope(scope) && !scope.endsWith(':*'))).toBe(true);
  });

  it('given no roles, when resolved, then there are no permissions', () => {
    expect(catalogue.resolve([])).toEqual([]);
  });

  it('given an unknown role, when resolved, then ROLE_UNKNOWN', () => {
    expect(() => catalogue.resolve(['member', 'superuser'])).toThrow(IdentityError);
    expect(() => catalogue.resolve(['superuser'])).toThrow(expect.objectContaining({ code: 'ROLE_UNKNOWN' }));
  });

  it('knows its roles', () => {
    expect(catalogue.isKnown('member')).toBe(true);
    expect(catalogue.isKnown('superuser')).toBe(false);
    expect(catalogue.isKnown('toString')).toBe(false);
  });

  it.each([
    ['account_admin', { human: true, api: false, contact: false }],
    ['member', { human: true, api: true, contact: false }],
    ['read_only', { human: true, api: true, contact: false }],
    ['api_user', { human: true, api: true, contact: false }],
    ['contact', { human: false, api: false, contact: true }],
    ['superuser', { human: false, api: false, contact: false }],
  ] as const)('%s is allowed for %j', (role, allowed) => {
    expect(catalogue.allowedFor(role, 'human')).toBe(allowed.human);
    expect(catalogue.allowedFor(role, 'api')).toBe(allowed.api);
    expect(catalogue.allowedFor(role, 'contact')).toBe(allowed.contact);
  });

  it('given no record types, then the roles cover the platform resources only', () => {
    const bare = createRoleCatalogue([]);
    expect(bare.resolve(['account_admin'])).toEqual(PLATFORM_RESOURCES.flatMap(CRUD).sort());
    expect(bare.resolve(['contact'])).toEqual([]);
  });

  it('is not changed by the caller mutating its input or output', () => {
    const types = ['orders'];
    const built = createRoleCatalogue(types);
    types.push('requests');
    expect(built.recordTypes).toEqual(['orders']);
    const resolved = built.resolve(['contact']);
    resolved.push('x:read');
    expect(built.resolve(['contact'])).toEqual(['orders:read']);
  });

  it.each([
    ['Orders', 'not a snake_case'],
    ['order-lines', 'not a snake_case'],
    ['1orders', 'not a snake_case'],
    ['', 'not a snake_case'],
    ['orders:read', 'not a snake_case'],
    ['x'.repeat(200), 'not a snake_case'],
    ['users', 'platform resource'],
    ['personal_access_tokens', 'platform resource'],
    ['account_tokens', 'platform resource'],
  ])(
    'given the record type %j, when the catalogue is created, then a configuration error says it is %s',
    (name, reason) => {
      let caught: unknown;
      try {
        createRoleCatalogue(['orders', name]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(Error);
      expect(caught).not.toBeInstanceOf(IdentityError);
      expect((caught as Error).message).toContain(reason);
    },
  );

  it('given a record type twice, then a configuration error names it', () => {
    expect(() => createRoleCatalogue(['orders', 'orders'])).toThrow('"orders" is listed twice');
  });

  it('given several bad record types, then one error names each of them', () => {
    expect(() => createRoleCatalogue(['Bad', 'grants'])).toThrow(/"Bad".*"grants"/);
  });

  it('accepts snake_case names with digits', () => {
    expect(createRoleCatalogue(['work_order_2']).resolve(['contact'])).toEqual(['work_order_2:read']);
  });
});

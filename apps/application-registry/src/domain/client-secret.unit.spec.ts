import { fold } from '@latchkey/eventstore';
import { hashSecret } from '@latchkey/token-format';
import { applicationDecider, type ApplicationEvent } from './application.decider';
import { clientSecretMatches } from './client-secret';

const given = (...events: ApplicationEvent[]) => fold(applicationDecider, events);

const C = 'client-1';
const OLD = 'lk_cs_oldSecretValue';
const NEW = 'lk_cs_newSecretValue';
const registeredWith = (clientType: 'confidential' | 'public'): ApplicationEvent => ({
  type: 'ApplicationRegistered',
  data: {
    clientId: C,
    ownerAccountId: 'acct-1',
    name: 'App',
    clientType,
    redirectUris: ['https://app.example.com/cb'],
    grantTypes: ['authorization_code'],
    allowedScopes: ['orders:read'],
    accountIds: ['acct-1'],
    accessTokenTtlSeconds: 3600,
    refreshTokenTtlSeconds: 1_209_600,
    firstParty: false,
    ...(clientType === 'confidential' ? { secretHash: hashSecret(OLD) } : {}),
  },
});
const registered = registeredWith('confidential');
const UNTIL = '2025-01-16T10:30:00.000Z';
const rotated = (previousSecretValidUntil: string | null): ApplicationEvent => ({
  type: 'ApplicationSecretRotated',
  data: { clientId: C, secretHash: hashSecret(NEW), previousSecretValidUntil },
});
const disabled: ApplicationEvent = { type: 'ApplicationDisabled', data: { clientId: C } };
const enabled: ApplicationEvent = { type: 'ApplicationEnabled', data: { clientId: C } };
const deleted: ApplicationEvent = { type: 'ApplicationDeleted', data: { clientId: C } };
const at = (iso: string) => new Date(iso);
const NOW = at('2025-01-15T10:30:00.000Z');

describe('clientSecretMatches', () => {
  it('given a registered confidential client, then its current secret matches', () => {
    expect(clientSecretMatches(given(registered), OLD, NOW)).toBe(true);
  });

  it('given a wrong secret, then false', () => {
    expect(clientSecretMatches(given(registered), NEW, NOW)).toBe(false);
    expect(clientSecretMatches(given(registered), `${OLD}x`, NOW)).toBe(false);
    expect(clientSecretMatches(given(registered), '', NOW)).toBe(false);
    expect(clientSecretMatches(given(registered), hashSecret(OLD), NOW)).toBe(false);
  });

  it('given a rotation with an overlap, then the new secret matches and the previous one until the end of the overlap only', () => {
    const state = given(registered, rotated(UNTIL));
    expect(clientSecretMatches(state, NEW, NOW)).toBe(true);
    expect(clientSecretMatches(state, OLD, NOW)).toBe(true);
    expect(clientSecretMatches(state, OLD, at('2025-01-16T10:29:59.999Z'))).toBe(true);
    expect(clientSecretMatches(state, OLD, at(UNTIL))).toBe(false);
    expect(clientSecretMatches(state, OLD, at('2025-01-17T00:00:00.000Z'))).toBe(false);
    expect(clientSecretMatches(state, NEW, at('2025-01-17T00:00:00.000Z'))).toBe(true);
  });

  it('given a rotation with an overlap of 0, then the previous secret is rejected at once', () => {
    const state = given(registered, rotated(null));
    expect(clientSecretMatches(state, OLD, NOW)).toBe(false);
    expect(clientSecretMatches(state, NEW, NOW)).toBe(true);
  });

  it('given two rotations, then only the last previous secret is kept', () => {
    const third = 'lk_cs_thirdSecretValue';
    const state = given(registered, rotated(UNTIL), {
      type: 'ApplicationSecretRotated',
      data: { clientId: C, secretHash: hashSecret(third), previousSecretValidUntil: UNTIL },
    });
    expect(clientSecretMatches(state, third, NOW)).toBe(true);
    expect(clientSecretMatches(state, NEW, NOW)).toBe(true);
    expect(clientSecretMatches(state, OLD, NOW)).toBe(false);
  });

  it('given a disabled application, then false; enabled again, then true', () => {
    expect(clientSecretMatches(given(registered, disabled), OLD, NOW)).toBe(false);
    expect(clientSecretMatches(given(registered, rotated(UNTIL), disabled), NEW, NOW)).toBe(false);
    expect(clientSecretMatches(given(registered, disabled, enabled), OLD, NOW)).toBe(true);
  });

  it('given a deleted application, then false', () => {
    expect(clientSecretMatches(given(registered, deleted), OLD, NOW)).toBe(false);
    expect(clientSecretMatches(given(registered, disabled, deleted), OLD, NOW)).toBe(false);
  });

  it('given no application or a public client, then false', () => {
    expect(clientSecretMatches(given(), OLD, NOW)).toBe(false);
    expect(clientSecretMatches(given(registeredWith('public')), OLD, NOW)).toBe(false);
    expect(clientSecretMatches(given(registeredWith('public')), '', NOW)).toBe(false);
  });
});

import { hashSecret } from '@latchkey/token-format';
import { OAuthError } from '../oauth-error';
import { authenticateClient, readClientCredentials, type ClientCredentials } from './client-authentication';
import type { OAuthClient } from './oauth-client';

const now = new Date('2026-12-01T12:00:00Z');
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

const confidential: OAuthClient = {
  clientId: 'app-1',
  ownerAccountId: 'acct-1',
  name: 'Reports',
  clientType: 'confidential',
  status: 'active',
  redirectUris: ['https://app.example/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  allowedScopes: ['orders:read'],
  accountIds: ['acct-1'],
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 1_209_600,
  firstParty: false,
  console: false,
  requirePushedRequests: false,
  secret: {
    currentHash: hashSecret('lk_cs_new'),
    previousHash: hashSecret('lk_cs_old'),
    previousValidUntil: '2026-12-02T00:00:00Z',
  },
};
const publicClient: OAuthClient = { ...confidential, clientId: 'spa-1', clientType: 'public', secret: null };

function failure(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error('expected an OAuthError');
}

describe('readClientCredentials', () => {
  it('reads HTTP Basic, form-decoding id and secret (RFC 6749 §2.3.1)', () => {
    expect(readClientCredentials(basic('app 1:x', 's+cret%'), {})).toEqual({
      clientId: 'app 1:x',
      secret: 's+cret%',
      method: 'client_secret_basic',
    });
    const plus = `Basic ${Buffer.from('a+b:c+d').toString('base64')}`;
    expect(readClientCredentials(plus, {})).toMatchObject({ clientId: 'a b', secret: 'c d' });
  });

  it('reads client_secret_post and none from the body', () => {
    expect(readClientCredentials(undefined, { client_id: 'app-1', client_secret: 'lk_cs_new' })).toEqual({
      clientId: 'app-1',
      secret: 'lk_cs_new',
      method: 'client_secret_post',
    });
    expect(readClientCredentials(undefined, { client_id: 'spa-1' })).toEqual({
      clientId: 'spa-1',
      secret: null,
      method: 'none',
    });
  });

  it('refuses two methods at once and a body client_id naming another client', () => {
    expect(failure(() => readClientCredentials(basic('app-1', 'x'), { client_secret: 'x' })).code).toBe(
      'invalid_request',
    );
    expect(failure(() => readClientCredentials(basic('app-1', 'x'), { client_id: 'app-2' })).code).toBe(
      'invalid_request',
    );
    expect(readClientCredentials(basic('app-1', 'x'), { client_id: 'app-1' }).method).toBe('client_secret_basic');
  });

  it.each([
    ['Bearer abc', 'another scheme'],
    ['Basic', 'no credentials'],
    [`Basic ${Buffer.from('no-colon').toString('base64')}`, 'no colon'],
    [`Basic ${Buffer.from(':secret').toString('base64')}`, 'empty id'],
    [`Basic ${Buffer.from('id:').toString('base64')}`, 'empty secret'],
    [`Basic ${Buffer.from('id:%E0%A4%A').toString('base64')}`, 'a malformed escape'],
    ['Basic !!!!', 'not base64'],
  ])('answers invalid_client with a Basic challenge for %s (%s)', (header) => {
    const e = failure(() => readClientCredentials(header, {}));
    expect(e.code).toBe('invalid_client');
    expect(e.status).toBe(401);
    expect(e.wwwAuthenticate).toMatch(/^Basic realm="latchkey"/);
  });

  it('answers invalid_client without a challenge when nothing identifies the client', () => {
    for (const body of [{}, { client_id: '' }, { client_secret: 'x' }]) {
      const e = failure(() => readClientCredentials(undefined, body));
      expect(e.code).toBe('invalid_client');
      expect(e.wwwAuthenticate).toBeUndefined();
    }
  });
});

describe('authenticateClient', () => {
  const post = (secret: string | null, clientId = 'app-1'): ClientCredentials => ({
    clientId,
    secret,
    method: secret === null ? 'none' : 'client_secret_post',
  });

  it('accepts a confidential client with its current secret, or the previous one during the overlap', () => {
    expect(authenticateClient(confidential, post('lk_cs_new'), now)).toBe(confidential);
    expect(authenticateClient(confidential, post('lk_cs_old'), now)).toBe(confidential);
    expect(
      failure(() => authenticateClient(confidential, post('lk_cs_old'), new Date('2026-12-02T00:00:01Z'))).code,
    ).toBe('invalid_client');
  });

  it('refuses a wrong secret, a missing secret, an unknown, disabled or deleted client alike', () => {
    const cases: Array<[OAuthClient | null, ClientCredentials]> = [
      [confidential, post('lk_cs_wrong')],
      [confidential, post(null)],
      [null, post('lk_cs_new')],
      [null, post(null)],
      [{ ...confidential, status: 'disabled' }, post('lk_cs_new')],
      [{ ...confidential, status: 'deleted' }, post('lk_cs_new')],
    ];
    for (const [client, creds] of cases) {
      const e = failure(() => authenticateClient(client, creds, now));
      expect(e.body()).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    }
  });

  it('accepts a public client with no secret and refuses one that presents a secret', () => {
    expect(authenticateClient(publicClient, post(null, 'spa-1'), now)).toBe(publicClient);
    expect(failure(() => authenticateClient(publicClient, post('anything', 'spa-1'), now)).code).toBe('invalid_client');
    expect(
      failure(() => authenticateClient({ ...publicClient, status: 'disabled' }, post(null, 'spa-1'), now)).code,
    ).toBe('invalid_client');
  });

  it('challenges a failed Basic authentication', () => {
    const e = failure(() =>
      authenticateClient(confidential, { clientId: 'app-1', secret: 'bad', method: 'client_secret_basic' }, now),
    );
    expect(e.wwwAuthenticate).toMatch(/^Basic /);
  });
});

import { OAuthError } from '../oauth-error';
import type { OAuthClient } from '../clients/oauth-client';
import { STATE_MAX_LENGTH, validateAuthorizationRequest, type RequestParameters } from './authorization-request';
import { authorizationResponseUrl } from './authorization-response';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const client: OAuthClient = {
  clientId: 'app-1',
  ownerAccountId: 'acct-1',
  name: 'Reports',
  clientType: 'confidential',
  status: 'active',
  redirectUris: ['https://app.example/cb', 'https://app.example/cb?tenant=1', 'http://127.0.0.1/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  allowedScopes: ['orders:read', 'orders:update', 'users:*'],
  accountIds: ['acct-1'],
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 1_209_600,
  firstParty: false,
  console: false,
  requirePushedRequests: false,
  secret: null,
};
const clients = new Map([
  [client.clientId, client],
  ['disabled', { ...client, clientId: 'disabled', status: 'disabled' as const }],
  ['cc-only', { ...client, clientId: 'cc-only', grantTypes: ['client_credentials' as const] }],
  ['single', { ...client, clientId: 'single', redirectUris: ['https://single.example/cb'] }],
  ['pushing', { ...client, clientId: 'pushing', requirePushedRequests: true }],
  ['console', { ...client, clientId: 'console', console: true, allowedScopes: [] }],
]);
const find = (id: string) => clients.get(id) ?? null;

const good = {
  client_id: 'app-1',
  redirect_uri: 'https://app.example/cb',
  response_type: 'code',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  scope: 'orders:read',
  state: 'xyz',
};
const params = (over: Record<string, string | string[] | undefined> = {}): RequestParameters => {
  const merged: Record<string, string | string[] | undefined> = { ...good, ...over };
  return Object.fromEntries(
    Object.entries(merged)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? v : [v as string]]),
  );
};
function refusal(p: RequestParameters): OAuthError {
  try {
    validateAuthorizationRequest(p, find);
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('validateAuthorizationRequest', () => {
  it('accepts a good request and returns what the code will be bound to', () => {
    expect(validateAuthorizationRequest(params(), find)).toEqual({
      client,
      redirectUri: 'https://app.example/cb',
      redirectUriGiven: true,
      scopes: ['orders:read'],
      codeChallenge: CHALLENGE,
      state: 'xyz',
    });
  });

  it('defaults the scope to the client’s ceiling, expanded, and the redirect URI to the only one registered', () => {
    const r = validateAuthorizationRequest(params({ scope: undefined }), find);
    expect(r.scopes).toEqual([
      'orders:read',
      'orders:update',
      'users:create',
      'users:delete',
      'users:read',
      'users:update',
    ]);
    expect(
      validateAuthorizationRequest(params({ client_id: 'single', redirect_uri: undefined }), find).redirectUri,
    ).toBe('https://single.example/cb');
  });

  it('the console asks for no scope (its grant gets its user’s permissions at sign-in) and may not ask for one', () => {
    expect(validateAuthorizationRequest(params({ client_id: 'console', scope: undefined }), find).scopes).toEqual([]);
    const e = refusal(params({ client_id: 'console', scope: 'orders:read' }));
    expect(e.code).toBe('invalid_scope');
    expect(e.redirectable).toBe(true);
  });

  it.each([
    ['https://app.example/cb/', 'a trailing slash'],
    ['https://app.example/c', 'one character short'],
    ['https://app.example/cbx', 'one character more'],
    ['https://app.example/cb?extra=1', 'an extra query'],
    ['https://app.example/cb?tenant=2', 'another query value'],
    ['https://APP.example/cb', 'other letter case'],
    ['https://app.example/cb#frag', 'a fragment'],
    ['http://127.0.0.1:8080/other', 'another loopback path'],
    ['https://evil.example/cb', 'another host'],
  ])('never redirects to a redirect URI off by %s (%s)', (uri) => {
    const e = refusal(params({ redirect_uri: uri }));
    expect(e.redirectable).toBe(false);
    expect(e.code).toBe('invalid_request');
  });

  it('lets a loopback http redirect URI differ in port only (RFC 8252 §7.3), and keeps the one requested', () => {
    expect(validateAuthorizationRequest(params({ redirect_uri: 'http://127.0.0.1:53121/cb' }), find).redirectUri).toBe(
      'http://127.0.0.1:53121/cb',
    );
  });

  it('records whether the request named its redirect URI', () => {
    expect(validateAuthorizationRequest(params(), find).redirectUriGiven).toBe(true);
    expect(
      validateAuthorizationRequest(params({ client_id: 'single', redirect_uri: undefined }), find).redirectUriGiven,
    ).toBe(false);
  });

  it('accepts a registered redirect URI with its own query, exactly', () => {
    expect(
      validateAuthorizationRequest(params({ redirect_uri: 'https://app.example/cb?tenant=1' }), find).redirectUri,
    ).toBe('https://app.example/cb?tenant=1');
  });

  it.each([
    [{ client_id: undefined }, 'invalid_request'],
    [{ client_id: 'nobody' }, 'invalid_client'],
    [{ client_id: 'disabled' }, 'invalid_client'],
    [{ client_id: ['app-1', 'app-1'] }, 'invalid_request'],
    [{ redirect_uri: ['https://app.example/cb', 'https://app.example/cb'] }, 'invalid_request'],
    [{ redirect_uri: undefined }, 'invalid_request'],
  ])('shows an error page, never a redirect, for %p', (over, code) => {
    const e = refusal(params(over));
    expect(e.code).toBe(code);
    expect(e.redirectable).toBe(false);
  });

  it.each([
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ response_type: 'code id_token' }, 'unsupported_response_type'],
    [{ response_type: undefined }, 'invalid_request'],
    [{ response_mode: 'fragment' }, 'invalid_request'],
    [{ response_mode: 'form_post' }, 'invalid_request'],
    [{ client_id: 'cc-only' }, 'unauthorized_client'],
    [{ code_challenge: undefined }, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ code_challenge_method: undefined }, 'invalid_request'],
    [{ scope: 'orders:delete' }, 'invalid_scope'],
    [{ scope: 'orders:*' }, 'invalid_scope'],
    [{ scope: 'openid' }, 'invalid_scope'],
    [{ scope: 'orders:read  users:read' }, 'invalid_scope'],
    [{ scope: '' }, 'invalid_scope'],
    [{ state: 's'.repeat(STATE_MAX_LENGTH + 1) }, 'invalid_request'],
    [{ state: ['a', 'b'] }, 'invalid_request'],
    [{ scope: ['orders:read', 'orders:read'] }, 'invalid_request'],
    [{ response_type: ['code', 'code'] }, 'invalid_request'],
    [{ code_challenge: [CHALLENGE, CHALLENGE] }, 'invalid_request'],
    [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'invalid_request'],
    [{ request_uri: 'urn:ietf:params:oauth:request_uri:unresolved' }, 'invalid_request'],
    [{ client_id: 'pushing' }, 'invalid_request'],
  ])('redirects %p back to the client as %s', (over, code) => {
    const e = refusal(params(over));
    expect(e.code).toBe(code);
    expect(e.redirectable).toBe(true);
  });

  it('takes a client that requires pushed requests only with a pushed one (RFC 9126 §5)', () => {
    expect(refusal(params({ client_id: 'pushing' })).message).toContain('/oauth/par');
    expect(validateAuthorizationRequest(params({ client_id: 'pushing' }), find, { pushed: true }).client.clientId).toBe(
      'pushing',
    );
  });

  it('ignores parameters it does not know (RFC 6749 §3.1)', () => {
    expect(validateAuthorizationRequest(params({ nonce: 'n', prompt: 'consent' }), find).scopes).toEqual([
      'orders:read',
    ]);
  });
});

describe('authorizationResponseUrl', () => {
  const iss = 'https://auth.example';
  it('adds code, state and iss to the query, keeping the registered query', () => {
    const url = new URL(authorizationResponseUrl('https://app.example/cb?tenant=1', iss, { code: 'c0de' }, 'a b&c'));
    expect(url.origin + url.pathname).toBe('https://app.example/cb');
    expect([...url.searchParams]).toEqual([
      ['tenant', '1'],
      ['code', 'c0de'],
      ['state', 'a b&c'],
      ['iss', iss],
    ]);
  });

  it('puts iss on errors too, and leaves state out when the client sent none', () => {
    const url = new URL(
      authorizationResponseUrl(
        'https://app.example/cb',
        iss,
        { error: new OAuthError('access_denied', 'the user denied') },
        null,
      ),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      error: 'access_denied',
      error_description: 'the user denied',
      iss,
    });
  });
});

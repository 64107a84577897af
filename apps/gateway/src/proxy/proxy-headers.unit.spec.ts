import type { ActiveToken } from '@latchkey/token-verifier';
import { foldHeaderName, upstreamHeaders, type UpstreamHeaderOptions } from './proxy-headers';

const identity: ActiveToken = {
  active: true,
  tokenId: 'tok_1',
  grantId: 'grant_1',
  subject: 'user_1',
  subjectKind: 'human',
  clientId: null,
  effectiveScopes: ['orders:read'],
  missingScopes: [],
} as unknown as ActiveToken;

const base: UpstreamHeaderOptions = {
  identity: null,
  account: null,
  forwardToken: false,
  peerAddress: '203.0.113.7',
  peerTrusted: false,
  protocol: 'http',
};

describe('upstreamHeaders', () => {
  it.each([
    'x-auth-subject',
    'x_auth_subject',
    'x-auth_subject',
    'x_auth-subject',
    'x-auth-scopes',
    'x_auth_scopes',
    'x-auth-token_id',
    'x-auth-anything',
    'x_auth_',
  ])('drops the identity spelling %s from a client (frameworks fold _ into -)', (name) => {
    const out = upstreamHeaders({ [name]: 'mallory', 'x-other': 'kept' }, base);
    expect(out[name]).toBeUndefined();
    expect(out['x-other']).toBe('kept');
  });

  it('keeps headers that only look alike', () => {
    const out = upstreamHeaders({ 'x-authority': 'a', 'x-auth': 'b', 'xauth-subject': 'c', auth_x: 'd' }, base);
    expect(out).toMatchObject({ 'x-authority': 'a', 'x-auth': 'b', 'xauth-subject': 'c', auth_x: 'd' });
  });

  it('sets the verified identity over anything a client sent', () => {
    const out = upstreamHeaders(
      { 'x-auth-subject': 'mallory', x_auth_subject: 'mallory', 'x-auth-account': 'other' },
      { ...base, identity, account: 'acc_1' },
    );
    expect(out).toMatchObject({
      'x-auth-subject': 'user_1',
      'x-auth-subject-kind': 'human',
      'x-auth-account': 'acc_1',
      'x-auth-scopes': 'orders:read',
      'x-auth-token-id': 'tok_1',
      'x-auth-grant-id': 'grant_1',
    });
    expect(out.x_auth_subject).toBeUndefined();
    expect(out['x-auth-client-id']).toBeUndefined();
  });

  const spoofed = {
    host: 'api.example.com',
    forwarded: 'for=10.0.0.1;proto=https',
    'x-real-ip': '10.0.0.1',
    'x-forwarded-for': '10.0.0.1',
    'x-forwarded-host': 'admin.internal',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '443',
    'x-forwarded-prefix': '/admin',
    x_forwarded_for: '10.0.0.2',
    'x-client-ip': '10.0.0.3',
    'true-client-ip': '10.0.0.4',
  };

  it('from an untrusted peer: drops every forwarding header and sets its own from the peer', () => {
    const out = upstreamHeaders(spoofed, base);
    expect(out).toEqual({
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.example.com',
    });
  });

  it('from a trusted proxy: keeps its forwarding headers, appends the peer to the chain, keeps its proto and host', () => {
    const out = upstreamHeaders(spoofed, { ...base, peerTrusted: true, peerAddress: '10.1.1.1' });
    expect(out).toEqual({
      forwarded: 'for=10.0.0.1;proto=https',
      'x-real-ip': '10.0.0.1',
      'x-forwarded-for': '10.0.0.1, 10.1.1.1',
      'x-forwarded-host': 'admin.internal',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '443',
      'x-forwarded-prefix': '/admin',
      'x-client-ip': '10.0.0.3',
      'true-client-ip': '10.0.0.4',
    });
    // a trusted proxy that set no proto or host: the gateway's own
    const bare = upstreamHeaders({ host: 'h' }, { ...base, peerTrusted: true, peerAddress: '10.1.1.1' });
    expect(bare).toEqual({ 'x-forwarded-for': '10.1.1.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'h' });
  });

  it('drops path and method overrides from everyone, trusted proxies included', () => {
    const headers = {
      'x-original-url': '/admin',
      'x-rewrite-url': '/admin',
      'x-http-method-override': 'DELETE',
      x_http_method_override: 'DELETE',
      'x-http-method': 'DELETE',
      'x-method-override': 'DELETE',
    };
    for (const peerTrusted of [false, true]) {
      const out = upstreamHeaders(headers, { ...base, peerTrusted });
      expect(Object.keys(out).sort()).toEqual(['x-forwarded-for', 'x-forwarded-proto']);
    }
  });

  it('drops hop-by-hop headers and Expect, and Authorization unless the route forwards the token', () => {
    const headers = {
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'content-length': '5',
      expect: '100-continue',
      te: 'trailers',
      upgrade: 'h2c',
      'proxy-authorization': 'Basic x',
      authorization: 'Bearer t',
      'content-type': 'text/plain',
    };
    expect(upstreamHeaders(headers, base)).toEqual({
      'content-type': 'text/plain',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'http',
    });
    expect(upstreamHeaders(headers, { ...base, forwardToken: true }).authorization).toBe('Bearer t');
  });
});

describe('foldHeaderName', () => {
  it('reads _ as -', () => {
    expect(foldHeaderName('x_auth_subject')).toBe('x-auth-subject');
    expect(foldHeaderName('x-auth-subject')).toBe('x-auth-subject');
  });
});

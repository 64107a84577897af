import { RegistryError } from './registry-error';
import { checkRedirectUri, redirectUriMatches } from './redirect-uri';

function errorOf(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }
  throw new Error('expected a RegistryError, nothing was thrown');
}

/** Asserts REDIRECT_URI_INVALID with a message matching the rule; returns the message. */
function thenInvalid(raw: unknown, rule: RegExp): string {
  const error = errorOf(() => checkRedirectUri(raw));
  expect(error.code).toBe('REDIRECT_URI_INVALID');
  expect(error.message).toMatch(rule);
  return error.message;
}

describe('checkRedirectUri', () => {
  it.each([
    'https://app.example.com/oauth/callback',
    'https://app.example.com/cb?tenant=acme&x=1',
    'https://app.example.com:8443/cb',
    'https://app.example.com/',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:8080/cb',
    'http://[::1]:51004/cb',
    'http://localhost:3000/callback',
    'https://localhost/cb',
    'https://xn--bcher-kva.example/cb',
  ])('given %j, then it is accepted and returned unchanged', (uri) => {
    expect(checkRedirectUri(uri)).toBe(uri);
  });

  it.each([
    ['a fragment', 'https://app.example.com/cb#section', /fragment/],
    ['an empty fragment', 'https://app.example.com/cb#', /fragment/],
    ['the javascript: scheme', 'javascript:alert(1)', /scheme "javascript"/],
    ['the data: scheme', 'data:text/html,<script>alert(1)</script>', /scheme "data"/],
    ['the file: scheme', 'file:///etc/passwd', /scheme "file"/],
    ['the vbscript: scheme', 'vbscript:msgbox(1)', /scheme "vbscript"/],
    ['a custom scheme', 'com.example.app:/oauth2redirect', /scheme "com.example.app"/],
    ['a wildcard host', 'https://*.example.com/cb', /wildcard/],
    ['a wildcard path', 'https://app.example.com/cb/*', /wildcard/],
    ['http for a non-loopback host', 'http://app.example.com/cb', /http only for a loopback host/],
    ['http for a loopback-looking name', 'http://localhost.example.com/cb', /http only for a loopback host/],
    ['http for another 127/8 address', 'http://127.0.0.2/cb', /http only for a loopback host/],
    ['user information', 'https://user:pass@app.example.com/cb', /user information/],
    ['an empty user', 'https://@app.example.com/cb', /user information/],
    ['a relative reference', '/oauth/callback', /absolute URI/],
    ['a scheme-relative reference', '//app.example.com/cb', /absolute URI/],
    ['a bare host', 'app.example.com/cb', /absolute URI/],
    ['a space', 'https://app.example.com/a b', /whitespace or control/],
    ['a trailing newline', 'https://app.example.com/cb\n', /whitespace or control/],
    ['a NUL', 'https://app.example.com/\u0000cb', /whitespace or control/],
    ['a non-breaking space', 'https://app.example.com/\u00a0cb', /whitespace or control/],
    ['no host', 'https:///cb', /canonical|valid/],
    ['an invalid host', 'https://exa mple.com/', /whitespace/],
    ['an invalid port', 'https://app.example.com:99999/cb', /not a valid absolute URI/],
  ])('given %s, then REDIRECT_URI_INVALID naming the rule', (_label, raw, rule) => {
    thenInvalid(raw, rule);
  });

  it.each([
    ['an upper-case scheme and host', 'HTTPS://Example.com/cb', 'https://example.com/cb'],
    ['the default port', 'https://example.com:443/cb', 'https://example.com/cb'],
    ['the default http port on loopback', 'http://127.0.0.1:80/cb', 'http://127.0.0.1/cb'],
    ['no path', 'https://example.com', 'https://example.com/'],
    ['dot segments', 'https://example.com/a/../cb', 'https://example.com/cb'],
    ['a non-ASCII path', 'https://example.com/caf\u00e9', 'https://example.com/caf%C3%A9'],
    ['a non-ASCII host', 'https://b\u00fccher.example/cb', 'https://xn--bcher-kva.example/cb'],
    ['a backslash', 'https://example.com\\cb', 'https://example.com/cb'],
    ['a missing slash', 'https:example.com/cb', 'https://example.com/cb'],
    ['an IPv6 loopback spelt long', 'http://[0:0:0:0:0:0:0:1]/cb', 'http://[::1]/cb'],
  ])('given %s, then REDIRECT_URI_INVALID telling the canonical form', (_label, raw, canonical) => {
    const message = thenInvalid(raw, /canonical form/);
    expect(message).toContain(JSON.stringify(canonical));
  });

  it('given 2000 characters, then accepted; given 2001, then refused', () => {
    const base = 'https://app.example.com/';
    const ok = base + 'a'.repeat(2000 - base.length);
    expect(checkRedirectUri(ok)).toBe(ok);
    thenInvalid(`${ok}a`, /at most 2000 characters/);
  });

  it('never puts more than the first 100 characters of the value in the message', () => {
    const long = `https://app.example.com/${'x'.repeat(3000)}`;
    const message = thenInvalid(long, /2000/);
    expect(message).toContain(JSON.stringify(`${long.slice(0, 100)}…`));
    expect(message).not.toContain('x'.repeat(101));
    const nonCanonical = `HTTPS://APP.EXAMPLE.COM/${'y'.repeat(500)}`;
    const canonicalMessage = thenInvalid(nonCanonical, /canonical/);
    expect(canonicalMessage).not.toContain('y'.repeat(101));
  });

  it('given something other than a non-empty string, then REDIRECT_URI_INVALID', () => {
    thenInvalid('', /non-empty string/);
    thenInvalid(42, /non-empty string/);
    thenInvalid(null, /non-empty string/);
  });
});

describe('redirectUriMatches', () => {
  const registered = [
    'https://app.example.com/cb',
    'http://127.0.0.1/native',
    'http://[::1]:8080/native',
    'http://localhost/cb?x=1',
  ];

  it('matches a registered URI exactly', () => {
    expect(redirectUriMatches(registered, 'https://app.example.com/cb')).toBe(true);
  });

  it.each([
    'https://app.example.com/cb/',
    'https://app.example.com/cb?x=1',
    'https://APP.example.com/cb',
    'https://app.example.com:443/cb',
    'https://app.example.com:8443/cb',
    'https://app.example.com/CB',
    'https://app.example.com/cb#x',
    'https://app.example.com/cb/../cb',
    '',
  ])('does not match %j (no normalization, no prefix matching)', (requested) => {
    expect(redirectUriMatches(registered, requested)).toBe(false);
  });

  it('for a loopback http URI, lets the port differ (RFC 8252 §7.3)', () => {
    expect(redirectUriMatches(registered, 'http://127.0.0.1:51234/native')).toBe(true);
    expect(redirectUriMatches(registered, 'http://[::1]:49152/native')).toBe(true);
    expect(redirectUriMatches(registered, 'http://[::1]/native')).toBe(true);
    expect(redirectUriMatches(registered, 'http://localhost:3000/cb?x=1')).toBe(true);
  });

  it('for a loopback http URI, still requires the same host, path and query', () => {
    expect(redirectUriMatches(registered, 'http://127.0.0.1:51234/other')).toBe(false);
    expect(redirectUriMatches(registered, 'http://localhost:51234/native')).toBe(false);
    expect(redirectUriMatches(registered, 'http://127.0.0.1:51234/native?x=1')).toBe(false);
    expect(redirectUriMatches(registered, 'http://localhost:3000/cb')).toBe(false);
    expect(redirectUriMatches(registered, 'http://user@127.0.0.1:51234/native')).toBe(false);
    expect(redirectUriMatches(registered, 'http://127.0.0.1:51234/x/../native')).toBe(false);
  });

  it('never lets the port differ for https or a non-loopback host', () => {
    expect(redirectUriMatches(['https://127.0.0.1/native'], 'https://127.0.0.1:51234/native')).toBe(false);
    expect(redirectUriMatches(['https://app.example.com/cb'], 'https://app.example.com:8443/cb')).toBe(false);
    expect(redirectUriMatches(['http://127.0.0.1/native'], 'https://127.0.0.1:51234/native')).toBe(false);
  });

  it('given nothing registered, then nothing matches', () => {
    expect(redirectUriMatches([], 'http://127.0.0.1:51234/native')).toBe(false);
  });
});

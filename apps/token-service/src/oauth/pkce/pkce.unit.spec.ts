import { OAuthError } from '../oauth-error';
import { requireS256Challenge, verifierMatches } from './pkce';

// RFC 7636 Appendix B
const RFC_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function refusal(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('PKCE', () => {
  it('matches the RFC 7636 example', () => {
    expect(verifierMatches(RFC_VERIFIER, RFC_CHALLENGE)).toBe(true);
    expect(requireS256Challenge(RFC_CHALLENGE, 'S256')).toBe(RFC_CHALLENGE);
  });

  it('refuses another verifier, a malformed one, and the challenge itself', () => {
    expect(verifierMatches(RFC_VERIFIER.slice(0, -1) + 'l', RFC_CHALLENGE)).toBe(false);
    expect(verifierMatches(RFC_CHALLENGE, RFC_CHALLENGE)).toBe(false);
    for (const bad of ['', 'short', 'x'.repeat(42), 'x'.repeat(129), `${RFC_VERIFIER.slice(0, 42)} `, null, 7])
      expect(verifierMatches(bad, RFC_CHALLENGE)).toBe(false);
    expect(verifierMatches('a'.repeat(43), RFC_CHALLENGE)).toBe(false);
    expect(verifierMatches('a'.repeat(128), RFC_CHALLENGE)).toBe(false);
  });

  it.each([
    [undefined, 'S256', /required/],
    ['', 'S256', /required/],
    [RFC_CHALLENGE, undefined, /plain is not accepted/],
    [RFC_CHALLENGE, 'plain', /plain is not accepted/],
    [RFC_CHALLENGE, 's256', /must be S256/],
    [RFC_CHALLENGE.slice(1), 'S256', /43-character/],
    [`${RFC_CHALLENGE.slice(1)}=`, 'S256', /43-character/],
    [RFC_VERIFIER.replace('-', '+'), 'S256', /43-character/],
  ])('refuses challenge %p with method %p as a redirectable invalid_request', (challenge, method, message) => {
    const e = refusal(() => requireS256Challenge(challenge, method));
    expect(e.code).toBe('invalid_request');
    expect(e.redirectable).toBe(true);
    expect(e.message).toMatch(message);
  });
});

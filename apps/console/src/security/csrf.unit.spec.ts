import { randomBytes } from 'node:crypto';
import { CsrfTokens } from './csrf';

describe('CsrfTokens', () => {
  const csrf = new CsrfTokens(randomBytes(32));

  it('accepts the token of the session it was made for', () => {
    expect(csrf.verify('session-a', csrf.tokenFor('session-a'))).toBe(true);
  });

  it('refuses another session’s token, another key’s, and anything missing or malformed', () => {
    const token = csrf.tokenFor('session-a');
    expect(csrf.verify('session-b', token)).toBe(false);
    expect(new CsrfTokens(randomBytes(32)).verify('session-a', token)).toBe(false);
    for (const bad of [undefined, null, '', 42, ['x'], token.slice(1), `${token}x`, 'x'.repeat(1000)])
      expect(csrf.verify('session-a', bad)).toBe(false);
  });
});

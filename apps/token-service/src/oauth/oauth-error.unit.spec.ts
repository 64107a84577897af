import { DomainError } from '@latchkey/domain';
import { OAUTH_ERROR_STATUS, OAuthError, isOAuthError } from './oauth-error';

describe('OAuthError', () => {
  it('carries the RFC code, its status and a description, and is a DomainError', () => {
    const e = new OAuthError('invalid_client', 'client authentication failed');
    expect(e).toBeInstanceOf(DomainError);
    expect(isOAuthError(e)).toBe(true);
    expect(isOAuthError(new DomainError('X'))).toBe(false);
    expect(e.status).toBe(401);
    expect(e.body()).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
  });

  it('is not redirectable unless made so', () => {
    const e = new OAuthError('invalid_scope', 'scope "x" is not allowed');
    expect(e.redirectable).toBe(false);
    const r = e.toRedirect();
    expect(r.redirectable).toBe(true);
    expect(r.body()).toEqual(e.body());
  });

  it('answers 400 for every request error and 401 only for client authentication', () => {
    const fourHundreds = Object.entries(OAUTH_ERROR_STATUS).filter(([, s]) => s === 400);
    expect(fourHundreds.map(([c]) => c)).toEqual(
      expect.arrayContaining(['invalid_request', 'invalid_grant', 'unsupported_grant_type', 'invalid_scope']),
    );
    expect(Object.entries(OAUTH_ERROR_STATUS).filter(([, s]) => s === 401)).toEqual([['invalid_client', 401]]);
  });
});

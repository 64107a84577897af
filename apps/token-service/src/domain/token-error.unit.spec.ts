import { DomainError, isDomainError } from '@latchkey/domain';
import { TOKEN_ERROR_STATUS, TokenError, isTokenError } from './token-error';

describe('TokenError', () => {
  it('carries a stable code, a message and the HTTP status of its code', () => {
    const error = new TokenError('NAME_TAKEN', 'the user already has a token named "CI"');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DomainError);
    expect(isDomainError(error)).toBe(true);
    expect(isTokenError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'TokenError',
      code: 'NAME_TAKEN',
      message: 'the user already has a token named "CI"',
      status: 409,
    });
  });

  it('defaults the message to the code', () => {
    expect(new TokenError('GRANT_NOT_FOUND').message).toBe('GRANT_NOT_FOUND');
  });

  it('maps every code in UPPER_SNAKE to a 4xx status', () => {
    for (const [code, status] of Object.entries(TOKEN_ERROR_STATUS)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(status >= 400 && status < 500).toBe(true);
    }
  });

  it('maps what the actor or user may not do to 403, conflicts to 409, bad input to 422', () => {
    for (const code of [
      'SCOPE_NOT_HELD',
      'ACCOUNT_NOT_HELD',
      'SCOPE_NOT_ALLOWED_FOR_CONTACT',
      'PAT_CREATION_FORBIDDEN',
      'NOT_ALLOWED_FOR_OTHERS',
      'NOT_ALLOWED_FOR_API_USERS',
    ] as const) {
      expect(new TokenError(code).status).toBe(403);
    }
    for (const code of ['GRANT_EXISTS', 'GRANT_REVOKED', 'NAME_TAKEN', 'USER_DEACTIVATED'] as const)
      expect(new TokenError(code).status).toBe(409);
    for (const code of [
      'EXPIRY_REQUIRED',
      'EXPIRY_IN_PAST',
      'LIFETIME_EXCEEDS_MAXIMUM',
      'POLICY_INVALID',
      'SCOPE_INVALID',
    ] as const) {
      expect(new TokenError(code).status).toBe(422);
    }
    expect(new TokenError('USER_UNKNOWN').status).toBe(404);
  });

  it('is not confused with a plain Error', () => {
    expect(isTokenError(new Error('x'))).toBe(false);
  });
});

import { DomainError, isDomainError } from '@latchkey/domain';
import { IDENTITY_ERROR_STATUS, IdentityError, isIdentityError } from './identity-error';

describe('IdentityError', () => {
  it('carries a stable code, a message and the HTTP status of its code', () => {
    const error = new IdentityError('EMAIL_TAKEN', 'the e-mail address is taken');
    expect(error).toBeInstanceOf(Error);
    expect(isIdentityError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'IdentityError',
      code: 'EMAIL_TAKEN',
      message: 'the e-mail address is taken',
      status: 409,
    });
  });

  it('defaults the message to the code', () => {
    expect(new IdentityError('USER_NOT_FOUND').message).toBe('USER_NOT_FOUND');
  });

  it('maps every code to a 4xx status, codes in UPPER_SNAKE', () => {
    for (const [code, status] of Object.entries(IDENTITY_ERROR_STATUS)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });

  it('is not confused with a plain Error', () => {
    expect(isIdentityError(new Error('x'))).toBe(false);
  });

  it('is a @latchkey/domain DomainError, with its status as the hint', () => {
    const error = new IdentityError('EMAIL_TAKEN');
    expect(error).toBeInstanceOf(DomainError);
    expect(isDomainError(error)).toBe(true);
    expect((error as DomainError).status).toBe(error.status);
  });
});

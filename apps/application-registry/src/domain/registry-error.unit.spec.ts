import { DomainError, isDomainError } from '@latchkey/domain';
import { REGISTRY_ERROR_STATUS, RegistryError, isRegistryError } from './registry-error';

describe('RegistryError', () => {
  it('carries a stable code, a message and the HTTP status of its code', () => {
    const error = new RegistryError('APPLICATION_DELETED', 'application was deleted');
    expect(error).toBeInstanceOf(Error);
    expect(isRegistryError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'RegistryError',
      code: 'APPLICATION_DELETED',
      message: 'application was deleted',
      status: 410,
    });
  });

  it('defaults the message to the code', () => {
    expect(new RegistryError('APPLICATION_NOT_FOUND').message).toBe('APPLICATION_NOT_FOUND');
  });

  it('maps every code in UPPER_SNAKE to a 4xx status, except the SECRET_REQUIRED bug guard (500)', () => {
    for (const [code, status] of Object.entries(REGISTRY_ERROR_STATUS)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      if (code === 'SECRET_REQUIRED') expect(status).toBe(500);
      else expect(status >= 400 && status < 500).toBe(true);
    }
  });

  it('maps the authority codes to 403 and the state conflicts to 409', () => {
    expect(new RegistryError('SCOPE_NOT_HELD').status).toBe(403);
    expect(new RegistryError('ACCOUNT_NOT_HELD').status).toBe(403);
    expect(new RegistryError('FIRST_PARTY_NOT_ALLOWED').status).toBe(403);
    expect(new RegistryError('ALREADY_DISABLED').status).toBe(409);
    expect(new RegistryError('APPLICATION_EXISTS').status).toBe(409);
  });

  it('is not confused with a plain Error', () => {
    expect(isRegistryError(new Error('x'))).toBe(false);
  });

  it('is a @latchkey/domain DomainError, with its status as the hint', () => {
    const error = new RegistryError('APPLICATION_DELETED');
    expect(error).toBeInstanceOf(DomainError);
    expect(isDomainError(error)).toBe(true);
    expect((error as DomainError).status).toBe(error.status);
  });
});

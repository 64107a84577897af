import { DomainError, isDomainError } from './domain-error';

type DemoCode = 'THING_NOT_FOUND' | 'THING_EXISTS';
const DEMO_STATUS: Record<DemoCode, number> = { THING_NOT_FOUND: 404, THING_EXISTS: 409 };

/** How a domain extends the base: its own name, code vocabulary and status table. */
class DemoError extends DomainError<DemoCode> {
  override readonly name = 'DemoError';

  constructor(code: DemoCode, message: string = code) {
    super(code, message, { status: DEMO_STATUS[code] });
  }

  override get status(): number {
    return DEMO_STATUS[this.code];
  }
}

describe('DomainError', () => {
  it('carries a stable code, a message (the code by default) and an optional status hint', () => {
    const plain = new DomainError('SOMETHING_WRONG');
    expect(plain).toBeInstanceOf(Error);
    expect(plain).toMatchObject({ name: 'DomainError', code: 'SOMETHING_WRONG', message: 'SOMETHING_WRONG' });
    expect(plain.status).toBeUndefined();
    expect(new DomainError('GONE', 'it is gone', { status: 410 }).status).toBe(410);
  });

  it('keeps a cause when given one', () => {
    const cause = new Error('underlying');
    expect(new DomainError('X', 'x', { cause }).cause).toBe(cause);
    expect('cause' in new DomainError('X')).toBe(false);
  });

  it('is the base a domain error class extends: instanceof both, its own name, code and status', () => {
    const error = new DemoError('THING_EXISTS', 'the thing exists');
    expect(error).toBeInstanceOf(DemoError);
    expect(error).toBeInstanceOf(DomainError);
    expect(isDomainError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'DemoError', code: 'THING_EXISTS', message: 'the thing exists', status: 409 });
    expect(String(error)).toBe('DemoError: the thing exists');
    expect(error.stack).toContain('the thing exists');
  });

  it('is not confused with a plain Error or an object that looks like one', () => {
    expect(isDomainError(new Error('x'))).toBe(false);
    expect(isDomainError({ name: 'DomainError', code: 'X', message: 'x' })).toBe(false);
  });
});

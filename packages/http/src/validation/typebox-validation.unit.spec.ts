import { Type } from '@sinclair/typebox';
import { HttpProblem } from '../problem/problem';
import {
  Email,
  Name,
  PageQuery,
  TypeBoxParamPipe,
  Uuid,
  compileSchema,
  validateRequestPart,
} from './typebox-validation';

function problemOf(fn: () => unknown): HttpProblem {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpProblem) return e;
    throw e;
  }
  throw new Error('expected an HttpProblem');
}

describe('building blocks', () => {
  const ok = (schema: Parameters<typeof compileSchema>[0], value: unknown) => compileSchema(schema, 'body')(value);

  it('Email accepts an address and refuses spaces, control characters and overlong input', () => {
    expect(ok(Email, 'ada@example.com')).toBe(true);
    expect(ok(Email, 'ada lovelace@example.com')).toBe(false);
    expect(ok(Email, 'ada@exa\u0007mple.com')).toBe(false);
    expect(ok(Email, 'a'.repeat(310) + '@example.com')).toBe(false);
  });

  it('Name refuses empty, padded, control characters and over max', () => {
    const N = Name(5);
    expect(ok(N, 'Ada L')).toBe(true);
    expect(ok(N, 'Zoë')).toBe(true);
    for (const bad of ['', ' Ada', 'Ada ', 'A\tB', 'A\u007fB', 'Ada Lo']) expect(ok(N, bad)).toBe(false);
  });

  it('Uuid checks the format', () => {
    expect(ok(Uuid, '6f1c1f7e-5d2a-4b8e-9a57-0d7c2f3b1a90')).toBe(true);
    expect(ok(Uuid, '6f1c1f7e')).toBe(false);
  });

  it('PageQuery coerces the limit from the query string, applies the default and bounds it', () => {
    expect(validateRequestPart(PageQuery, 'query', { limit: '20', cursor: 'abc_-' })).toEqual({
      limit: 20,
      cursor: 'abc_-',
    });
    expect(validateRequestPart(PageQuery, 'query', {})).toEqual({ limit: 50 });
    expect(problemOf(() => validateRequestPart(PageQuery, 'query', { limit: '0' })).errors).toEqual([
      { path: '/limit', message: 'must be >= 1' },
    ]);
    expect(problemOf(() => validateRequestPart(PageQuery, 'query', { limit: '201' })).status).toBe(400);
    expect(problemOf(() => validateRequestPart(PageQuery, 'query', { limit: '1.5' })).status).toBe(400);
  });
});

describe('validateRequestPart', () => {
  const Body = Type.Object(
    { n: Type.Integer(), flag: Type.Boolean(), nested: Type.Optional(Type.Object({ 'a/b': Type.String() })) },
    { additionalProperties: false },
  );

  it('never coerces a body', () => {
    const p = problemOf(() => validateRequestPart(Body, 'body', { n: '1', flag: 'true' }));
    expect(p.code).toBe('validation_failed');
    expect(p.errors).toEqual([
      { path: '/n', message: 'must be integer' },
      { path: '/flag', message: 'must be boolean' },
    ]);
  });

  it('escapes JSON pointer members and points at a missing nested property', () => {
    const p = problemOf(() => validateRequestPart(Body, 'body', { n: 1, flag: true, nested: {} }));
    expect(p.errors).toEqual([{ path: '/nested/a~1b', message: 'is required' }]);
  });

  it('does not let a body through a query copy (query objects are copied, not mutated)', () => {
    const raw = { limit: '7' };
    expect(validateRequestPart(PageQuery, 'query', raw)).toEqual({ limit: 7 });
    expect(raw).toEqual({ limit: '7' });
  });

  it('compiles each schema once per mode', () => {
    expect(compileSchema(Body, 'body')).toBe(compileSchema(Body, 'body'));
    expect(compileSchema(Body, 'query')).not.toBe(compileSchema(Body, 'body'));
  });

  it('is strict about schemas: an unknown keyword fails at compile time', () => {
    expect(() => compileSchema(Type.Unsafe<string>({ type: 'string', formatt: 'email' }), 'body')).toThrow(
      /unknown keyword/,
    );
  });

  it('a single path parameter is coerced and reported at /<name>', () => {
    const pipe = new TypeBoxParamPipe('page', Type.Integer({ minimum: 1 }));
    expect(pipe.transform('3')).toBe(3);
    expect(problemOf(() => pipe.transform('x')).errors).toEqual([{ path: '/page', message: 'must be integer' }]);
  });
});

import { Body, Injectable, Param, PipeTransform, Query } from '@nestjs/common';
import { Type, type TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { HttpProblem, type ProblemFieldError } from '../problem/problem';

/** Which part of the request a schema checks. */
export type RequestPart = 'body' | 'query' | 'params';

function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes, removeAdditional: false, useDefaults: true });
  addFormats(ajv);
  return ajv;
}

// Bodies are JSON and are checked as they are; query strings and path parameters arrive as
// strings, so numbers and booleans are coerced there (and only there).
const validators: Record<'strict' | 'coercing', { ajv: Ajv; cache: WeakMap<TSchema, ValidateFunction> }> = {
  strict: { ajv: newAjv(false), cache: new WeakMap() },
  coercing: { ajv: newAjv(true), cache: new WeakMap() },
};

/** The compiled validator of a schema (compiled once per schema object and mode). */
export function compileSchema(schema: TSchema, part: RequestPart): ValidateFunction {
  const v = part === 'body' ? validators.strict : validators.coercing;
  let fn = v.cache.get(schema);
  if (!fn) {
    fn = v.ajv.compile(schema);
    v.cache.set(schema, fn);
  }
  return fn;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** ajv errors → `{ path, message }` with JSON pointers; never the offending value. */
export function toFieldErrors(errors: readonly ErrorObject[] | null | undefined, prefix = ''): ProblemFieldError[] {
  const out: ProblemFieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let path = prefix + e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path += '/' + escapePointer(String((e.params as { missingProperty: string }).missingProperty));
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path += '/' + escapePointer(String((e.params as { additionalProperty: string }).additionalProperty));
      message = 'is not allowed';
    }
    const key = `${path}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message });
    }
  }
  return out;
}

const PART_NAMES: Record<RequestPart, string> = {
  body: 'request body',
  query: 'query string',
  params: 'path parameters',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function schemaWantsObject(schema: TSchema): boolean {
  return schema.type === 'object';
}

/**
 * Validates `value` against `schema` and returns it (with query/params coerced and defaults
 * applied), or throws HttpProblem 400 `validation_failed`.
 */
export function validateRequestPart<T = unknown>(schema: TSchema, part: RequestPart, value: unknown): T {
  if (schemaWantsObject(schema) && !isPlainObject(value)) {
    throw new HttpProblem(400, 'validation_failed', `The ${PART_NAMES[part]} must be a JSON object.`, {
      errors: [{ path: '', message: 'must be a JSON object' }],
    });
  }
  // Query and params objects from Fastify have no prototype and are shared; work on a copy.
  const data = part === 'body' ? value : isPlainObject(value) ? { ...value } : value;
  const validate = compileSchema(schema, part);
  if (!validate(data)) {
    throw new HttpProblem(400, 'validation_failed', `The ${PART_NAMES[part]} is invalid.`, {
      errors: toFieldErrors(validate.errors),
    });
  }
  return data as T;
}

/** A Nest pipe that checks one request part against a TypeBox schema. */
@Injectable()
export class TypeBoxValidationPipe implements PipeTransform {
  constructor(
    readonly schema: TSchema,
    readonly part: RequestPart,
  ) {
    compileSchema(schema, part); // compile at startup, so a bad schema fails the boot, not a request
  }

  transform(value: unknown): unknown {
    return validateRequestPart(this.schema, this.part, value);
  }
}

/**
 * One path parameter: checked as the only member of an object, so a coerced value (ajv cannot
 * coerce a bare scalar in place) is returned and errors point at `/<name>`.
 */
@Injectable()
export class TypeBoxParamPipe implements PipeTransform {
  private readonly wrapper: TSchema;

  constructor(
    readonly name: string,
    readonly schema: TSchema,
  ) {
    this.wrapper = Type.Object({ [name]: schema });
    compileSchema(this.wrapper, 'params');
  }

  transform(value: unknown): unknown {
    return validateRequestPart<Record<string, unknown>>(this.wrapper, 'params', { [this.name]: value })[this.name];
  }
}

/** The JSON body, validated against an object schema (no coercion, unknown fields refused). */
export const ValidBody = (schema: TSchema): ParameterDecorator => Body(new TypeBoxValidationPipe(schema, 'body'));

/** The query string, validated (numbers and booleans coerced from strings, defaults applied). */
export const ValidQuery = (schema: TSchema): ParameterDecorator => Query(new TypeBoxValidationPipe(schema, 'query'));

/** All path parameters, validated against an object schema. */
export const ValidParams = (schema: TSchema): ParameterDecorator => Param(new TypeBoxValidationPipe(schema, 'params'));

/** One path parameter, validated against a scalar schema (errors point at `/<name>`). */
export const ValidParam = (name: string, schema: TSchema): ParameterDecorator =>
  Param(name, new TypeBoxParamPipe(name, schema));

// ---- reusable building blocks ----------------------------------------------------------------

/** A UUID (any version), e.g. a path parameter `:id`. */
export const Uuid = Type.String({ format: 'uuid' });

/** An email address: format email, at most 320 characters, no spaces or control characters. */
export const Email = Type.String({
  format: 'email',
  maxLength: 320,
  pattern: '^[^\\s@\\p{Cc}]+@[^\\s@\\p{Cc}]+$',
});

/** A display name: non-empty, no leading/trailing whitespace, no control characters, ≤ max chars. */
export const Name = (max: number) =>
  Type.String({
    minLength: 1,
    maxLength: max,
    pattern: '^[^\\s\\p{Cc}](?:[^\\p{Cc}]*[^\\s\\p{Cc}])?$',
  });

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** `?limit=1..200` (default 50) and an opaque base64url `?cursor=`. */
export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);

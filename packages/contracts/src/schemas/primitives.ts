import { Type, type SchemaOptions, type TString, type TUnsafe } from '@sinclair/typebox';

/**
 * Building blocks shared by every event schema. Each returns a fresh TypeBox schema so that a
 * field can carry its own description (which the docs generator renders).
 */

/** Upper bound for identifiers we receive or generate (user ids, client ids, grant ids...). */
export const ID_MAX_LENGTH = 200;

/** SHA-256 digest as unpadded base64url: exactly 43 characters of [A-Za-z0-9_-]. */
export const SHA256_BASE64URL_PATTERN = '^[A-Za-z0-9_-]{43}$';

/** A string restricted to a fixed set of values (`{ type: 'string', enum: [...] }`). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A non-empty identifier of at most 200 characters. */
export function Id(description: string): TString {
  return Type.String({ minLength: 1, maxLength: ID_MAX_LENGTH, description });
}

/** A UUID (any version). */
export function Uuid(description: string): TString {
  return Type.String({ format: 'uuid', description });
}

/** An ISO-8601 date-time with a time zone, e.g. `2025-01-15T10:30:00.000Z`. */
export function DateTime(description: string): TString {
  return Type.String({ format: 'date-time', description });
}

/** An ISO-8601 date-time or `null`. */
export function NullableDateTime(description: string): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description });
}

/** Free text with bounded length (names, reasons, descriptions). */
export function Text(description: string, maxLength = 500): TString {
  return Type.String({ minLength: 1, maxLength, description });
}

/**
 * A SHA-256 hash (unpadded base64url). The strict pattern is what keeps a secret out of an
 * event: a raw token or client secret (`lk_<kind>_...`, 55+ characters) cannot match it.
 */
export function Sha256Base64Url(description: string): TString {
  return Type.String({
    pattern: SHA256_BASE64URL_PATTERN,
    minLength: 43,
    maxLength: 43,
    title: 'Sha256Base64Url',
    description,
  });
}

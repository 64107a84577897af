import { EVENT_TYPES, EventCatalog } from './catalog';
import { SHA256_BASE64URL_PATTERN } from '../schemas/primitives';
import { toJsonSchema } from '../schemas/json-schemas';

type JsonSchema = Record<string, unknown>;

/** Every property of every data schema, nested ones included, with its schema. */
function allFields(): Array<{ path: string; name: string; schema: JsonSchema }> {
  const fields: Array<{ path: string; name: string; schema: JsonSchema }> = [];
  const walk = (schema: JsonSchema, path: string): void => {
    for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      fields.push({ path: `${path}.${name}`, name, schema: child });
      walk(child, `${path}.${name}`);
    }
    if (schema.items !== undefined) walk(schema.items as JsonSchema, `${path}[]`);
  };
  for (const type of EVENT_TYPES) walk(toJsonSchema(EventCatalog[type].data), type);
  return fields;
}

const SECRET_LIKE = /secret|password|passwd|credential|private|token|api_?key|bearer/i;
/** Secret-sounding names that cannot carry a secret, with the reason. */
const ALLOWED: Record<string, (schema: JsonSchema) => boolean> = {
  tokenHash: (schema) => schema.pattern === SHA256_BASE64URL_PATTERN,
  secretHash: (schema) => schema.pattern === SHA256_BASE64URL_PATTERN,
  tokenKind: (schema) => Array.isArray(schema.enum),
  previousSecretValidUntil: (schema) => schema.format === 'date-time',
  tokenId: (schema) => schema.type === 'string', // an id we generate, never the token
};

describe('no secret in any event', () => {
  it('given every data field of every event, when its name sounds like a secret, then it is a hash, an enum, a date, a number or an id', () => {
    // when
    const offending = allFields()
      .filter(({ name }) => SECRET_LIKE.test(name))
      .filter(({ schema }) => schema.type !== 'integer' && schema.type !== 'boolean') // numbers cannot carry a secret
      .filter(({ name, schema }) => !(name in ALLOWED) || !ALLOWED[name]!(schema))
      .map(({ path }) => path);
    // then
    expect(offending).toEqual([]);
    expect(allFields().some(({ name }) => name === 'tokenHash')).toBe(true);
  });

  it('given every hash field, when its pattern is checked, then a real token or client secret cannot match it', () => {
    // given
    const pattern = new RegExp(SHA256_BASE64URL_PATTERN);
    const rawToken = `lk_pat_${'A'.repeat(43)}${'b'.repeat(6)}`;
    const rawSecret = `lk_cs_${'A'.repeat(43)}${'b'.repeat(6)}`;
    // when
    const hashFields = allFields().filter(({ name }) => /hash$/i.test(name));
    // then
    expect(hashFields.map(({ path }) => path).sort()).toEqual([
      'ApplicationRegistered.secretHash',
      'ApplicationSecretRotated.secretHash',
      'TokenIssued.tokenHash',
    ]);
    expect(
      hashFields.every(({ schema }) => schema.pattern === SHA256_BASE64URL_PATTERN && schema.maxLength === 43),
    ).toBe(true);
    expect(pattern.test(rawToken)).toBe(false);
    expect(pattern.test(rawSecret)).toBe(false);
  });

  it('given the display prefix, when its bound is read, then it is far too short to hold a whole token', () => {
    // when
    const prefix = allFields().find(({ path }) => path === 'TokenIssued.displayPrefix');
    // then
    expect(prefix?.schema.maxLength).toBe(24);
    expect(`lk_pat_${'A'.repeat(49)}`.length).toBeGreaterThan(24);
  });

  it('given every string field, when its schema is read, then its length or shape is bounded', () => {
    // when
    const unbounded = allFields()
      .filter(
        ({ schema }) => schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string')),
      )
      .filter(
        ({ schema }) => schema.maxLength === undefined && schema.format === undefined && schema.enum === undefined,
      )
      .map(({ path }) => path);
    // then
    expect(unbounded).toEqual([]);
  });
});

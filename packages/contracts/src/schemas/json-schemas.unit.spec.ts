import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_TYPES, EventCatalog, exampleEvent } from '../events/catalog';
import { JSON_SCHEMA_DRAFT_07, eventJsonSchemas } from './json-schemas';

function freshAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

describe('eventJsonSchemas', () => {
  it('given the published schemas, when listed, then there is the envelope, one schema per event type and one per earlier version, each draft-07 with a unique $id', () => {
    // when
    const schemas = eventJsonSchemas() as Record<string, { $schema?: string; $id?: string }>;
    // then
    const earlier = EVENT_TYPES.flatMap((type) =>
      Object.keys(EventCatalog[type].previousDataSchemas ?? {}).map((version) => `${type}.v${version}`),
    );
    expect(earlier).toEqual(expect.arrayContaining(['TokenIssued.v1', 'TokenRevoked.v1', 'GrantRevoked.v1']));
    expect(Object.keys(schemas).sort()).toEqual(['EventEnvelope', ...EVENT_TYPES, ...earlier].sort());
    expect(Object.values(schemas).every((schema) => schema.$schema === JSON_SCHEMA_DRAFT_07)).toBe(true);
    const ids = Object.values(schemas).map((schema) => schema.$id);
    expect(ids.every((id) => typeof id === 'string' && id.startsWith('urn:latchkey:schema:'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('given every published schema, when all are added to one strict ajv and compiled, then they are valid JSON Schemas', () => {
    // given
    const ajv = freshAjv();
    const schemas = eventJsonSchemas();
    // when
    for (const schema of Object.values(schemas)) ajv.addSchema(schema);
    const compiled = Object.values(schemas).map((schema) => ajv.getSchema((schema as { $id: string }).$id));
    // then
    expect(compiled.every((validate) => typeof validate === 'function')).toBe(true);
    expect(Object.values(schemas).every((schema) => ajv.validateSchema(schema) === true)).toBe(true);
  });

  it('given the standalone JSON Schemas, when examples and a tampered example are checked by a fresh ajv, then only the examples pass', () => {
    // given
    const ajv = freshAjv();
    const schemas = eventJsonSchemas();
    const envelope = ajv.compile(schemas.EventEnvelope!);
    // when
    const results = EVENT_TYPES.map((type) => ajv.compile(schemas[type]!)(exampleEvent(type)));
    const tampered = {
      ...exampleEvent('TokenIssued'),
      data: { ...exampleEvent('TokenIssued').data, token: 'lk_pat_x' },
    };
    // then
    expect(results.every(Boolean)).toBe(true);
    expect(ajv.getSchema((schemas.TokenIssued as { $id: string }).$id)!(tampered)).toBe(false);
    expect(envelope(exampleEvent('TokensUsed'))).toBe(true);
    expect(envelope({ ...exampleEvent('TokensUsed'), data: 'x' })).toBe(false);
  });

  it('given the schemas, when serialized twice, then the output is identical (no TypeBox metadata leaks)', () => {
    // when
    const first = JSON.stringify(eventJsonSchemas());
    // then
    expect(JSON.stringify(eventJsonSchemas())).toBe(first);
    expect(first).not.toContain('TypeBox');
  });
});

import type { TSchema } from '@sinclair/typebox';
import { EventEnvelopeSchema, envelopeSchemaFor } from '../envelope';
import { EventCatalog, EVENT_TYPES, dataSchemaAt, type EventType } from '../events/catalog';

export const JSON_SCHEMA_DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** Plain JSON Schema of a TypeBox schema (TypeBox's symbol-keyed metadata dropped). */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** `$id` of the JSON Schema of an event type at a version (or of the generic envelope). */
export function eventSchemaId(type: string, schemaVersion?: number): string {
  return schemaVersion === undefined ? `urn:latchkey:schema:${type}` : `urn:latchkey:schema:${type}:v${schemaVersion}`;
}

/** Full envelope schema of one event type at one version, without `$schema`/`$id`. */
export function eventEnvelopeJsonSchema(
  type: EventType,
  schemaVersion: number = EventCatalog[type].schemaVersion,
): Record<string, unknown> {
  const entry = EventCatalog[type];
  const data = dataSchemaAt(type, schemaVersion);
  if (data === undefined) throw new RangeError(`no schema for ${type} version ${schemaVersion}`);
  return toJsonSchema(
    envelopeSchemaFor({
      type,
      schemaVersion,
      aggregateType: entry.aggregateType,
      data,
      description: entry.description,
    }),
  );
}

/** The generic envelope schema (any type; data any object), without `$schema`/`$id`. */
export function genericEnvelopeJsonSchema(): Record<string, unknown> {
  return toJsonSchema(EventEnvelopeSchema);
}

function withId(id: string, schema: Record<string, unknown>): Record<string, unknown> {
  return { $schema: JSON_SCHEMA_DRAFT_07, $id: id, ...schema };
}

/**
 * JSON Schemas (draft-07) for consumers outside the monorepo: `EventEnvelope`, one full envelope
 * schema per event type at its latest version, and `<Type>.v<N>` for each earlier version still
 * readable.
 */
export function eventJsonSchemas(): Record<string, object> {
  const schemas: Record<string, object> = {
    EventEnvelope: withId(eventSchemaId('EventEnvelope'), genericEnvelopeJsonSchema()),
  };
  for (const type of EVENT_TYPES) {
    const entry = EventCatalog[type];
    schemas[type] = withId(eventSchemaId(type, entry.schemaVersion), eventEnvelopeJsonSchema(type));
    for (const version of Object.keys(entry.previousDataSchemas ?? {})
      .map(Number)
      .sort((a, b) => a - b)) {
      schemas[`${type}.v${version}`] = withId(eventSchemaId(type, version), eventEnvelopeJsonSchema(type, version));
    }
  }
  return schemas;
}

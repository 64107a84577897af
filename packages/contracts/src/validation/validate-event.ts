import type { EventEnvelope } from '../envelope';
import { EventCatalog, dataSchemaAt, isEventType, type EventType, type LatchkeyEvent } from '../events/catalog';
import { eventEnvelopeJsonSchema, genericEnvelopeJsonSchema } from '../schemas/json-schemas';
import { cachedValidator } from './ajv';
import { EventValidationError } from './event-validation.error';
import { formatErrors } from './format-errors';
import { upcast } from './upcasters';

export type ValidationResult = { ok: true; event: LatchkeyEvent } | { ok: false; errors: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateEnvelopeOnly(value: unknown): string[] {
  const validate = cachedValidator('EventEnvelope', genericEnvelopeJsonSchema);
  return validate(value) ? [] : formatErrors(validate.errors);
}

function validateAt(value: Record<string, unknown>, type: EventType, schemaVersion: number): string[] {
  const validate = cachedValidator(`${type}@${schemaVersion}`, () => eventEnvelopeJsonSchema(type, schemaVersion));
  if (!validate(value)) return formatErrors(validate.errors);
  const field = EventCatalog[type].aggregateIdField;
  if (field !== undefined) {
    const expected = (value.data as Record<string, unknown>)[field];
    if (value.aggregateId !== expected) return [`aggregateId: must equal data.${field} (${JSON.stringify(expected)})`];
  }
  return [];
}

/**
 * Checks an event against the envelope schema and the data schema of its type at its
 * schemaVersion (which must be the latest or an earlier version the catalog still describes).
 * Errors are readable strings such as "data.userId: must be string".
 */
export function validateEvent(value: unknown): ValidationResult {
  if (!isRecord(value)) return { ok: false, errors: ['(event): must be object'] };
  const { type, schemaVersion } = value;
  if (
    typeof type === 'string' &&
    isEventType(type) &&
    typeof schemaVersion === 'number' &&
    dataSchemaAt(type, schemaVersion)
  ) {
    const errors = validateAt(value, type, schemaVersion);
    return errors.length === 0 ? { ok: true, event: value as unknown as LatchkeyEvent } : { ok: false, errors };
  }
  const errors = validateEnvelopeOnly(value);
  if (typeof type === 'string' && !isEventType(type)) {
    errors.push(`type: unknown event type ${JSON.stringify(type)}`);
  } else if (typeof type === 'string' && isEventType(type) && Number.isInteger(schemaVersion)) {
    errors.push(
      `schemaVersion: ${type} has no schema version ${String(schemaVersion)} (latest is ${EventCatalog[type].schemaVersion})`,
    );
  }
  return { ok: false, errors: errors.length > 0 ? errors : ['(event): not a valid event'] };
}

/** Like validateEvent, but returns the event or throws EventValidationError. */
export function assertValidEvent(value: unknown): LatchkeyEvent {
  const result = validateEvent(value);
  if (!result.ok) throw new EventValidationError(result.errors);
  return result.event;
}

/**
 * For consumers: validates a stored or received event at its own schema version, upcasts it to
 * the latest version and validates the result. Never throws; upcasting failures become errors.
 */
export function decodeEvent(value: unknown): ValidationResult {
  const asWritten = validateEvent(value);
  if (!asWritten.ok) return asWritten;
  const latest = EventCatalog[asWritten.event.type].schemaVersion;
  if (asWritten.event.schemaVersion === latest) return asWritten;
  let upcasted: EventEnvelope;
  try {
    upcasted = upcast(asWritten.event);
  } catch (error) {
    return { ok: false, errors: error instanceof EventValidationError ? error.errors : [String(error)] };
  }
  return validateEvent(upcasted);
}

import type { EventEnvelope } from '../envelope';
import { EventCatalog, isEventType, latestSchemaVersion } from '../events/catalog';
import { EventValidationError } from './event-validation.error';

/** Turns the data of version N into the data of version N + 1. Must be pure. */
export type Upcaster = (data: unknown) => unknown;

const registry = new Map<string, Map<number, Upcaster>>();

/**
 * Registers the upcaster of `type` from `fromVersion` to `fromVersion + 1`. For a catalog type,
 * `fromVersion` must be below its latest schema version. Registering the same step twice throws.
 */
export function registerUpcaster(type: string, fromVersion: number, fn: (data: unknown) => unknown): void {
  if (!Number.isInteger(fromVersion) || fromVersion < 1) {
    throw new RangeError(`upcaster of ${type}: fromVersion must be an integer >= 1, got ${fromVersion}`);
  }
  const latest = latestSchemaVersion(type);
  if (latest !== undefined && fromVersion >= latest) {
    throw new RangeError(`upcaster of ${type} from v${fromVersion}: the latest schema version is ${latest}`);
  }
  let steps = registry.get(type);
  if (steps === undefined) {
    steps = new Map();
    registry.set(type, steps);
  }
  if (steps.has(fromVersion) || (isEventType(type) && EventCatalog[type].upcasters?.[fromVersion] !== undefined)) {
    throw new Error(`upcaster of ${type} from v${fromVersion} is already registered`);
  }
  steps.set(fromVersion, fn);
}

/** The upcaster of `type` from `fromVersion`: declared in the catalog entry, or registered. */
function upcasterOf(type: string, fromVersion: number): Upcaster | undefined {
  const declared = isEventType(type) ? EventCatalog[type].upcasters?.[fromVersion] : undefined;
  return declared ?? registry.get(type)?.get(fromVersion);
}

/** Whether an upcaster of `type` from `fromVersion` exists (declared with the event or registered). */
export function hasUpcaster(type: string, fromVersion: number): boolean {
  return upcasterOf(type, fromVersion) !== undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Brings an envelope's data from its schemaVersion up to the latest one by applying the
 * registered upcasters in turn, and returns a new envelope (the input is not changed). An
 * envelope already at its latest version, of a type without upcasters, or too malformed to
 * tell its type and version, is returned untouched (validation reports what is wrong with it).
 * For a type the catalog does not know, the registered upcasters are applied as far as they go.
 *
 * Throws EventValidationError (code EVENT_SCHEMA_INVALID) when an upcaster is missing for a step
 * of a catalog type or an upcaster throws.
 */
export function upcast(envelope: EventEnvelope): EventEnvelope {
  const raw: unknown = envelope;
  if (!isRecord(raw) || typeof raw.type !== 'string' || !Number.isInteger(raw.schemaVersion)) return envelope;
  const { type } = envelope;
  const latest = latestSchemaVersion(type);
  let version = envelope.schemaVersion;
  let data = envelope.data;
  while (latest === undefined ? hasUpcaster(type, version) : version < latest) {
    const step = upcasterOf(type, version);
    if (step === undefined) {
      throw new EventValidationError([`schemaVersion: no upcaster from ${type} v${version} to v${version + 1}`]);
    }
    try {
      data = step(data);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new EventValidationError([`data: upcasting ${type} from v${version} to v${version + 1} failed: ${reason}`]);
    }
    version += 1;
  }
  return version === envelope.schemaVersion ? envelope : { ...envelope, schemaVersion: version, data };
}

import { createHash } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import type { EventEnvelope } from '../envelope';
import { TopicCatalog } from '../topics';
import type { EventCatalogEntry } from './define-event';
import { identityEvents } from './identity.events';
import { applicationEvents } from './applications.events';
import { tokenEvents } from './tokens.events';
import { tokenUsageEvents } from './token-usage.events';

const definitions = {
  ...identityEvents,
  ...applicationEvents,
  ...tokenEvents,
  ...tokenUsageEvents,
};
type Definitions = typeof definitions;

/** Every Latchkey event at its latest schema version, as a union discriminated by `type`. */
export type LatchkeyEvent = {
  [K in keyof Definitions & string]: EventEnvelope<K, Static<Definitions[K]['data']>>;
}[keyof Definitions & string];

export type EventType = LatchkeyEvent['type'];
export type EventOf<T extends EventType> = Extract<LatchkeyEvent, { type: T }>;
export type EventData<T extends EventType> = EventOf<T>['data'];

export type { EventCatalogEntry } from './define-event';

/**
 * Every event type: topic, aggregate, latest schema version, data schema, description, ordering,
 * example (typed as the event's data).
 */
export const EventCatalog: { readonly [K in EventType]: EventCatalogEntry & { example: EventData<K> } } = definitions;

/** Every event type, in catalog order (grouped by topic). */
export const EVENT_TYPES = Object.keys(EventCatalog) as EventType[];

export function isEventType(t: string): t is EventType {
  return Object.prototype.hasOwnProperty.call(EventCatalog, t);
}

/** Latest schema version of an event type, or undefined for a type the contracts do not know. */
export function latestSchemaVersion(type: string): number | undefined {
  return isEventType(type) ? EventCatalog[type].schemaVersion : undefined;
}

/** Data schema of an event type at a schema version, or undefined when that version is unknown. */
export function dataSchemaAt(type: EventType, schemaVersion: number): TSchema | undefined {
  const entry = EventCatalog[type];
  if (schemaVersion === entry.schemaVersion) return entry.data;
  return entry.previousDataSchemas?.[schemaVersion];
}

/** A deterministic uuid derived from a name (for examples). */
function exampleUuid(name: string): string {
  const hex = createHash('sha1').update(`latchkey:${name}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A complete, valid example event of a type (deterministic: same output on every call), built
 * from the catalog's example data. Handy in tests of producers and consumers.
 */
export function exampleEvent<T extends EventType>(type: T): EventOf<T> {
  const entry = EventCatalog[type];
  const data = structuredClone(entry.example) as Record<string, unknown>;
  const aggregateId =
    entry.aggregateIdField !== undefined
      ? String(data[entry.aggregateIdField])
      : (entry.exampleAggregateId ?? exampleUuid(`aggregate:${type}`));
  const event: EventEnvelope = {
    id: exampleUuid(`event:${type}`),
    type,
    schemaVersion: entry.schemaVersion,
    source: TopicCatalog[entry.topic].producer,
    aggregateType: entry.aggregateType,
    aggregateId,
    aggregateVersion: 1,
    occurredAt: '2025-01-15T10:30:00.000Z',
    correlationId: exampleUuid(`correlation:${type}`),
    data,
  };
  return event as EventOf<T>;
}

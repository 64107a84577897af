import type { Static, TSchema } from '@sinclair/typebox';
import type { TopicName } from '../topics';

/** What the contracts know about one event type. */
export interface EventCatalogEntry<TData extends TSchema = TSchema> {
  topic: TopicName;
  aggregateType: string;
  /** Latest schema version; producers always publish it. */
  schemaVersion: number;
  /** TypeBox (JSON) schema of `data` at the latest schema version. */
  data: TData;
  description: string;
  /** Which key orders the event relative to others. */
  ordering: string;
  /** The data field whose value is the envelope's `aggregateId` (and so the Kafka key), when there is one. */
  aggregateIdField?: string;
  /** A valid `data` at the latest version (used by tests and docs). */
  example: Static<TData>;
  /** aggregateId of the example event, for events without an aggregateIdField. */
  exampleAggregateId?: string;
  /**
   * Data schemas of earlier versions, by version number, so stored events can be validated as
   * they were written. Each earlier version also needs an upcaster (see registerUpcaster).
   */
  previousDataSchemas?: Readonly<Record<number, TSchema>>;
  /**
   * Upcasters declared with the event, by the version they read (N → N + 1); e.g.
   * `{ 1: (data) => data }` when v2 only added optional fields. Others may be registered with
   * registerUpcaster.
   */
  upcasters?: Readonly<Record<number, (data: unknown) => unknown>>;
}

/** Declares an event type; keeps the precise data schema type so payload types can be derived. */
export function defineEvent<const TData extends TSchema>(
  entry: EventCatalogEntry<TData> & { aggregateIdField?: keyof Static<TData> & string },
): EventCatalogEntry<TData> {
  return entry;
}

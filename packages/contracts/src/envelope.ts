import { Type, type TSchema } from '@sinclair/typebox';
import { Id, Uuid, DateTime } from './schemas/primitives';

/**
 * The JSON value of every Kafka message. `type`, `id` and `schemaVersion` are also set as
 * Kafka headers (see {@link eventHeaders}); the message key is `aggregateId`.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** Event id (uuid); consumers deduplicate on it. */
  id: string;
  type: TType;
  /** Version of the data schema of `type`, integer >= 1. */
  schemaVersion: number;
  /** Producing service, e.g. 'identity-service'. */
  source: string;
  /** e.g. 'user', 'account', 'application', 'grant'. */
  aggregateType: string;
  /** Id of the aggregate; also the Kafka message key. */
  aggregateId: string;
  /** Position of the event in its aggregate's stream, integer >= 1. */
  aggregateVersion: number;
  /** ISO-8601 date-time. */
  occurredAt: string;
  correlationId?: string;
  causationId?: string;
  data: TData;
}

/** Names of the Kafka headers every message carries besides its JSON value. */
export const EVENT_HEADERS = { type: 'type', id: 'id', schemaVersion: 'schemaVersion' } as const;

/** Kafka headers of an event: `type`, `id`, `schemaVersion` (as strings). */
export function eventHeaders(envelope: Pick<EventEnvelope, 'id' | 'type' | 'schemaVersion'>): Record<string, string> {
  return {
    [EVENT_HEADERS.type]: envelope.type,
    [EVENT_HEADERS.id]: envelope.id,
    [EVENT_HEADERS.schemaVersion]: String(envelope.schemaVersion),
  };
}

/** The Kafka message key of an event. */
export function messageKey(envelope: Pick<EventEnvelope, 'aggregateId'>): string {
  return envelope.aggregateId;
}

interface EnvelopeParts {
  type: TSchema;
  schemaVersion: TSchema;
  aggregateType: TSchema;
  data: TSchema;
}

function envelopeObject(parts: EnvelopeParts, options: { title: string; description: string }) {
  return Type.Object(
    {
      id: Uuid('Event id; consumers deduplicate on it.'),
      type: parts.type,
      schemaVersion: parts.schemaVersion,
      source: Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: '^[a-z][a-z0-9-]*$',
        description: "Producing service, e.g. 'identity-service'.",
      }),
      aggregateType: parts.aggregateType,
      aggregateId: Id('Id of the aggregate the event belongs to; also the Kafka message key.'),
      aggregateVersion: Type.Integer({
        minimum: 1,
        description: "Position of the event in its aggregate's stream (1, 2, 3, ...).",
      }),
      occurredAt: DateTime('When the event happened (ISO-8601).'),
      correlationId: Type.Optional(Id('Id shared by every event caused by one request or job.')),
      causationId: Type.Optional(Id('Id of the command or event that caused this event.')),
      data: parts.data,
    },
    { additionalProperties: false, ...options },
  );
}

/** JSON Schema (TypeBox) of any envelope, whatever its type; `data` is only required to be an object. */
export const EventEnvelopeSchema = envelopeObject(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Z][A-Za-z0-9]*$',
      description: "Event type, e.g. 'TokenIssued'.",
    }),
    schemaVersion: Type.Integer({ minimum: 1, description: 'Version of the data schema of `type`.' }),
    aggregateType: Type.String({ minLength: 1, maxLength: 100, description: "Aggregate kind, e.g. 'user', 'grant'." }),
    data: Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      description: 'Event data; its schema depends on `type` and `schemaVersion`.',
    }),
  },
  { title: 'EventEnvelope', description: 'Envelope of every Latchkey event.' },
);

/** JSON Schema (TypeBox) of the envelope of one event type at one schema version. */
export function envelopeSchemaFor(event: {
  type: string;
  schemaVersion: number;
  aggregateType: string;
  data: TSchema;
  description: string;
}) {
  return envelopeObject(
    {
      type: Type.Literal(event.type, { description: 'Event type.' }),
      schemaVersion: Type.Literal(event.schemaVersion, { description: 'Version of the data schema.' }),
      aggregateType: Type.Literal(event.aggregateType, { description: 'Aggregate kind.' }),
      data: event.data,
    },
    { title: event.type, description: event.description },
  );
}

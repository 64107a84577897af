import type { EventEnvelope } from '@latchkey/contracts';

/** What a decider emits: the event's type and data; the store adds the envelope. */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  /** Defaults to the latest version the contracts know (or 1). */
  schemaVersion?: number;
}

export interface StreamRef {
  /** Aggregate type, e.g. 'user', 'grant'. */
  type: string;
  /** Aggregate id: also the Kafka key, so one aggregate's events stay in order. */
  id: string;
}

export interface AppendRequest {
  stream: StreamRef;
  /** The version the writer read: 0 for a new stream. */
  expectedVersion: number;
  events: DomainEvent[];
  correlationId?: string;
  causationId?: string;
  /** Who caused it (a user or service id); stored in metadata, not in the envelope. */
  actor?: string;
  /** Kafka topic; default: the store's topic. */
  topic?: string;
}

export interface AppendResult {
  /** The stream's version after the append. */
  version: number;
  envelopes: EventEnvelope[];
}

export interface StoredEvent {
  globalPosition: string;
  envelope: EventEnvelope;
  metadata: Record<string, unknown>;
}

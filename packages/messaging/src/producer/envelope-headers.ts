import type { IHeaders } from 'kafkajs';
import type { EventEnvelope } from '@latchkey/contracts';

/** the contracts (docs/architecture.md): `type`, `id` and `schemaVersion` are also Kafka headers, so a consumer can route or skip without parsing. */
export function envelopeHeaders(envelope: EventEnvelope): IHeaders {
  const headers: IHeaders = {
    type: envelope.type,
    id: envelope.id,
    schemaVersion: String(envelope.schemaVersion),
    source: envelope.source,
  };
  if (envelope.correlationId) headers.correlationId = envelope.correlationId;
  return headers;
}

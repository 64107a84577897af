import type { EventEnvelope } from '@latchkey/contracts';

/**
 * The most bytes one publish request of the outbox relay carries, and the most one event may
 * take. Kafka's default `message.max.bytes` is 1,048,588 bytes per record batch; 900,000 leaves
 * room for the batch, record and request framing and for a broker configured slightly lower.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 900_000;

/** Framing of one record (length, attributes, timestamp and offset deltas, key/value lengths), rounded up. */
const RECORD_OVERHEAD_BYTES = 64;
/** Framing of one header (two length varints), rounded up. */
const HEADER_OVERHEAD_BYTES = 16;

/**
 * The size of the Kafka message an outbox row becomes: key + value (the envelope's JSON) +
 * headers + framing. The headers are the ones packages/messaging's `envelopeHeaders` sets (a
 * test there keeps the two in step).
 */
export function messageBytes(key: string, envelope: EventEnvelope, json: string = JSON.stringify(envelope)): number {
  const headers: Array<[string, string]> = [
    ['type', envelope.type],
    ['id', envelope.id],
    ['schemaVersion', String(envelope.schemaVersion)],
    ['source', envelope.source],
  ];
  if (envelope.correlationId) headers.push(['correlationId', envelope.correlationId]);
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(key) + Buffer.byteLength(json);
  for (const [name, value] of headers)
    bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

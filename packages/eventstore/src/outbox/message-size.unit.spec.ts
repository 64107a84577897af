import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@latchkey/contracts';
import { envelopeHeaders } from '@latchkey/messaging';
import { messageBytes } from './message-size';

const envelope = (extra: Partial<EventEnvelope> = {}): EventEnvelope => ({
  id: randomUUID(),
  type: 'UserDeactivated',
  schemaVersion: 1,
  source: 'identity-service',
  aggregateType: 'user',
  aggregateId: 'u-1',
  aggregateVersion: 3,
  occurredAt: '2025-01-15T10:30:00.000Z',
  data: { userId: 'u-1', reason: 'left — für immer' },
  ...extra,
});

/** What the producer really sends: key + value + the headers it sets, without framing. */
function payloadBytes(key: string, e: EventEnvelope): number {
  const headers = Object.entries(envelopeHeaders(e)).map(
    ([n, v]) => Buffer.byteLength(n) + Buffer.byteLength(String(v)),
  );
  return Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(e)) + headers.reduce((a, b) => a + b, 0);
}

describe('messageBytes', () => {
  it.each([
    ['without a correlation id', envelope()],
    ['with a correlation id', envelope({ correlationId: randomUUID() })],
  ])('counts key, value (UTF-8) and the producer’s headers, plus framing (%s)', (_label, e) => {
    const headerCount = Object.keys(envelopeHeaders(e)).length;
    expect(messageBytes('u-1', e)).toBe(payloadBytes('u-1', e) + 64 + 16 * headerCount);
  });
});

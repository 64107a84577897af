import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@latchkey/contracts';
import type { DomainEvent } from '@latchkey/eventstore';

/**
 * For tests: wraps a decider's events in envelopes the way the event store does (aggregate
 * versions 1, 2, ... after `fromVersion`), so they can be checked with the contracts' validateEvent.
 */
export function envelopesOf(aggregateType: string, aggregateId: string, events: readonly DomainEvent[], fromVersion = 0): EventEnvelope[] {
  return events.map((event, i) => ({
    id: randomUUID(),
    type: event.type,
    schemaVersion: 1,
    source: 'token-service',
    aggregateType,
    aggregateId,
    aggregateVersion: fromVersion + i + 1,
    occurredAt: new Date().toISOString(),
    data: event.data,
  }));
}

import { randomUUID } from 'node:crypto';
import { latestSchemaVersion, type EventEnvelope } from '@latchkey/contracts';
import type { DomainEvent } from './types';

/**
 * For tests of deciders: wraps the events in envelopes the way the event store does (aggregate
 * versions fromVersion + 1, + 2, …), so they can be checked with the contracts' validateEvent.
 */
export function envelopesOf(
  source: string,
  aggregateType: string,
  aggregateId: string,
  events: readonly DomainEvent[],
  fromVersion = 0,
): EventEnvelope[] {
  return events.map((event, i) => ({
    id: randomUUID(),
    type: event.type,
    schemaVersion: event.schemaVersion ?? latestSchemaVersion(event.type) ?? 1,
    source,
    aggregateType,
    aggregateId,
    aggregateVersion: fromVersion + i + 1,
    occurredAt: new Date().toISOString(),
    data: event.data,
  }));
}

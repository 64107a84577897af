export { eventStoreMigrations } from './migrations';
export { PgEventStore, type EventStoreOptions } from './store/pg-event-store';
export { CommittedEvents, type CommittedListener } from './store/committed-events';
export { ConcurrencyError, EventTooLargeError, isUniqueViolation, UNIQUE_VIOLATION } from './store/errors';
export type { Snapshot, SnapshotPolicy } from './store/snapshots';
export type { AppendRequest, AppendResult, DomainEvent, StoredEvent, StreamRef } from './store/types';
export { fold, type Decider } from './decider/decider';
export { CommandRunner, lockStream, type CommandResult, type RunCommandOptions } from './decider/command-runner';
export {
  OutboxRelay,
  OutboxRowParkedError,
  type OutboxPublisher,
  type OutboxRelayOptions,
  type ParkedRow,
} from './outbox/outbox-relay';
export { DEFAULT_MAX_MESSAGE_BYTES, messageBytes } from './outbox/message-size';
export { PgIdempotencyStore } from './idempotency/pg-idempotency-store';
export {
  DEFAULT_PROCESSED_EVENTS_RETENTION_MS,
  ProcessedEventsPruner,
  pruneProcessedEvents,
  type ProcessedEventsPrunerOptions,
  type PruneProcessedEventsOptions,
} from './idempotency/processed-events-pruner';
export { RetentionPruner, type RetentionPrunerOptions } from './retention/retention-pruner';
export { runMigrations, migrateMain } from './migrations/run-migrations';
export { createServiceDataSource, type ServiceDataSourceOptions } from './migrations/service-data-source';
export { envelopesOf } from './store/envelopes-of';
export { deciderScenarios } from './decider/decider-scenarios';
export { returnedRows } from './store/returned-rows';

export { eventStoreMigrations } from './migrations';
export { PgEventStore, type EventStoreOptions } from './store/pg-event-store';
export { ConcurrencyError, isUniqueViolation, UNIQUE_VIOLATION } from './store/errors';
export type { AppendRequest, AppendResult, DomainEvent, StoredEvent, StreamRef } from './store/types';
export { fold, type Decider } from './decider/decider';
export { CommandRunner, type CommandResult, type RunCommandOptions } from './decider/command-runner';
export { OutboxRelay, type OutboxPublisher, type OutboxRelayOptions } from './outbox/outbox-relay';
export { PgIdempotencyStore } from './idempotency/pg-idempotency-store';
export { runMigrations, migrateMain } from './migrations/run-migrations';

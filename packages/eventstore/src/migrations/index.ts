import { CreateEventStore1764000000000 } from './1764000000000-create-event-store';
import { CreateProcessedEvents1764000000001 } from './1764000000001-create-processed-events';
import { OutboxSizeAndParking1764000000002 } from './1764000000002-outbox-size-and-parking';
import { ProcessedEventsPruning1764000000003 } from './1764000000003-processed-events-pruning';
import { StreamSnapshots1764000000004 } from './1764000000004-stream-snapshots';

/** TypeORM migrations of the event store; a service lists them before its own read-model migrations. */
export const eventStoreMigrations = [
  CreateEventStore1764000000000,
  CreateProcessedEvents1764000000001,
  OutboxSizeAndParking1764000000002,
  ProcessedEventsPruning1764000000003,
  StreamSnapshots1764000000004,
];

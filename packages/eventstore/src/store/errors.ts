/** Another writer appended to the stream since it was read (optimistic concurrency). */
export class ConcurrencyError extends Error {
  readonly code = 'EVENTSTORE_CONCURRENCY';
  override readonly name = 'ConcurrencyError';

  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | null,
  ) {
    super(
      `stream ${streamId}: expected version ${expectedVersion}` +
        (actualVersion === null ? ', another writer appended concurrently' : `, found ${actualVersion}`),
    );
  }
}

/**
 * An event too large to be published as one Kafka message: refused at append, so it is never
 * stored (and never blocks the outbox). The message names the type and the sizes, not the content.
 */
export class EventTooLargeError extends Error {
  readonly code = 'EVENTSTORE_EVENT_TOO_LARGE';
  override readonly name = 'EventTooLargeError';

  constructor(
    readonly eventType: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`a ${eventType} event of ${bytes} bytes exceeds the limit of ${maxBytes} bytes for one Kafka message`);
  }
}

/** PostgreSQL unique_violation. */
export const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.code ?? e?.driverError?.code;
  const name = e?.constraint ?? e?.driverError?.constraint;
  return code === UNIQUE_VIOLATION && (constraint === undefined || name === constraint);
}

/** Thrown when an event does not match its contract. */
export class EventValidationError extends Error {
  readonly code = 'EVENT_SCHEMA_INVALID' as const;

  constructor(readonly errors: string[]) {
    super(`event does not match its schema: ${errors.join('; ')}`);
    this.name = 'EventValidationError';
  }
}

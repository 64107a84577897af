/**
 * Thrown by a handler to say "this message itself is wrong, trying again can never help": the
 * consumer sends it to `<topic>.dlq` (reason `unprocessable`) and goes on with the next one.
 * Every other error blocks the partition and is retried until the handler succeeds, so use this
 * only for a fault of the message (never for a database, network or timeout error). Nothing in
 * Latchkey throws it by default.
 */
export class UnprocessableEventError extends Error {
  readonly code = 'EVENT_UNPROCESSABLE';
  override readonly name = 'UnprocessableEventError';
}

/** Also recognises the error from another copy of this package (same code and name). */
export function isUnprocessableEventError(err: unknown): err is UnprocessableEventError {
  if (err instanceof UnprocessableEventError) return true;
  const e = err as { code?: unknown; name?: unknown } | null;
  return err instanceof Error && e?.code === 'EVENT_UNPROCESSABLE' && e.name === 'UnprocessableEventError';
}

export interface DomainErrorOptions {
  /** The HTTP status the edge answers with, when the domain knows it (the edge may map by code instead). */
  status?: number;
  cause?: unknown;
}

/**
 * The base of every domain's one error class (our convention, docs/architecture.md: few error classes, a stable string
 * code, an HTTP status mapped at the edge): `IdentityError`, `RegistryError`, `TokenError` extend
 * it with their own code vocabulary and status table. Deciders and checks throw it; the HTTP edge
 * answers it as problem+json by its code. Bugs (a handler passing nonsense) stay plain Errors.
 */
export class DomainError<Code extends string = string> extends Error {
  override readonly name: string = 'DomainError';
  readonly #status: number | undefined;

  constructor(
    /** Stable, UPPER_SNAKE: clients and the edge's status table key on it; never reworded. */
    readonly code: Code,
    message: string = code,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.#status = options.status;
  }

  /** The HTTP status hint, if the domain gave one. */
  get status(): number | undefined {
    return this.#status;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

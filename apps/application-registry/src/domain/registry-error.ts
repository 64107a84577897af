import { DomainError } from '@latchkey/domain';

/**
 * The one error class of the application-registry domain, a @latchkey/domain DomainError (our
 * convention: few error classes, a stable string code, an HTTP status mapped at the edge). Deciders and
 * checks throw it; the HTTP layer turns it into problem+json with {@link REGISTRY_ERROR_STATUS}.
 */
export const REGISTRY_ERROR_STATUS = {
  // the application as a whole
  APPLICATION_EXISTS: 409,
  APPLICATION_NOT_FOUND: 404,
  APPLICATION_DELETED: 410,
  ALREADY_DISABLED: 409,
  NOT_DISABLED: 409,
  NOTHING_TO_UPDATE: 422,
  /** The console's registration is made by the registry itself (at its start), not through the API. */
  CONSOLE_MANAGED: 409,
  // settings
  NAME_INVALID: 422,
  DESCRIPTION_INVALID: 422,
  REASON_INVALID: 422,
  CLIENT_TYPE_INVALID: 422,
  REDIRECT_URI_INVALID: 422,
  REDIRECT_URI_DUPLICATE: 422,
  REDIRECT_URI_REQUIRED: 422,
  REDIRECT_URIS_TOO_MANY: 422,
  GRANT_TYPE_REQUIRED: 422,
  GRANT_TYPE_NOT_ALLOWED: 422,
  GRANT_TYPES_INCONSISTENT: 422,
  SCOPE_INVALID: 422,
  OWNER_ACCOUNT_REQUIRED: 422,
  TTL_OUT_OF_BOUNDS: 422,
  OVERLAP_OUT_OF_BOUNDS: 422,
  // what the acting administrator holds
  SCOPE_NOT_HELD: 403,
  ACCOUNT_NOT_HELD: 403,
  FIRST_PARTY_NOT_ALLOWED: 403,
  // secrets
  NO_SECRET_FOR_PUBLIC_CLIENT: 422,
  /** A bug guard: the handler generates the secret, so a confidential client without a valid hash is ours. */
  SECRET_REQUIRED: 500,
} as const satisfies Record<string, number>;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_STATUS;

export class RegistryError extends DomainError<RegistryErrorCode> {
  override readonly name = 'RegistryError';

  constructor(code: RegistryErrorCode, message: string = code) {
    super(code, message, { status: REGISTRY_ERROR_STATUS[code] });
  }

  /** The HTTP status the edge answers with. */
  override get status(): number {
    return REGISTRY_ERROR_STATUS[this.code];
  }
}

export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof RegistryError;
}

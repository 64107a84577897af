import { DomainError } from '@latchkey/domain';

/**
 * The one error class of the identity domain, a @latchkey/domain DomainError (our convention, docs/architecture.md: few
 * error classes, a stable string code, an HTTP status mapped at the edge). Deciders and guards
 * throw it; the HTTP layer turns it into problem+json with {@link IDENTITY_ERROR_STATUS}.
 */
export const IDENTITY_ERROR_STATUS = {
  // accounts
  ACCOUNT_EXISTS: 409,
  ACCOUNT_NOT_FOUND: 404,
  PARENT_REQUIRED: 422,
  PARENT_NOT_ALLOWED: 422,
  PARENT_NOT_DIRECTORY: 422,
  NAME_INVALID: 422,
  // users
  USER_EXISTS: 409,
  USER_NOT_FOUND: 404,
  /** A first sign-in code that is unknown, used, replaced or expired. */
  FIRST_SIGN_IN_INVALID: 400,
  USER_DEACTIVATED: 409,
  USER_ALREADY_DEACTIVATED: 409,
  USER_NOT_DEACTIVATED: 409,
  EMAIL_TAKEN: 409,
  EMAIL_REQUIRED: 422,
  EMAIL_INVALID: 422,
  REASON_INVALID: 422,
  PASSWORD_NOT_ALLOWED_FOR_KIND: 422,
  // memberships and roles
  NOT_A_MEMBER: 404,
  ROLES_REQUIRED: 422,
  ROLE_UNKNOWN: 422,
  ROLE_NOT_ALLOWED_FOR_KIND: 422,
} as const satisfies Record<string, number>;

export type IdentityErrorCode = keyof typeof IDENTITY_ERROR_STATUS;

export class IdentityError extends DomainError<IdentityErrorCode> {
  override readonly name = 'IdentityError';

  constructor(code: IdentityErrorCode, message: string = code) {
    super(code, message, { status: IDENTITY_ERROR_STATUS[code] });
  }

  /** The HTTP status the edge answers with. */
  override get status(): number {
    return IDENTITY_ERROR_STATUS[this.code];
  }
}

export function isIdentityError(value: unknown): value is IdentityError {
  return value instanceof IdentityError;
}

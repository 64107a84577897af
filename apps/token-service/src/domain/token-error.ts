import { DomainError } from '@latchkey/domain';

/**
 * The one error class of the token-service domain, a @latchkey/domain DomainError (our convention:
 * few error classes, a stable string code, an HTTP status mapped at the edge). Deciders and
 * checks throw it; the HTTP layer turns it into problem+json with {@link TOKEN_ERROR_STATUS}.
 * Handler bugs (a malformed hash, a `now` that is not a time) are plain Errors: they are ours,
 * not the caller's.
 */
export const TOKEN_ERROR_STATUS = {
  // the grant as a whole
  GRANT_EXISTS: 409,
  GRANT_NOT_FOUND: 404,
  GRANT_REVOKED: 409,
  GRANT_KIND_MISMATCH: 409,
  // OAuth grants (mapped to RFC 6749 errors on the OAuth routes)
  TOKEN_NOT_LIVE: 400,
  SCOPE_NOT_GRANTED: 400,
  CLIENT_NOT_ALLOWED: 403,
  // settings of a personal access token
  NAME_INVALID: 422,
  NAME_TAKEN: 409,
  DESCRIPTION_INVALID: 422,
  REASON_INVALID: 422,
  SCOPES_REQUIRED: 422,
  SCOPE_INVALID: 422,
  ACCOUNTS_REQUIRED: 422,
  EXPIRY_INVALID: 422,
  EXPIRY_REQUIRED: 422,
  EXPIRY_IN_PAST: 422,
  LIFETIME_EXCEEDS_MAXIMUM: 422,
  // the user the token is for
  USER_UNKNOWN: 404,
  USER_DEACTIVATED: 409,
  // what the user, the actor and the account policies allow
  ACCOUNT_NOT_HELD: 403,
  SCOPE_NOT_HELD: 403,
  SCOPE_NOT_ALLOWED_FOR_CONTACT: 403,
  PAT_CREATION_FORBIDDEN: 403,
  NOT_ALLOWED_FOR_OTHERS: 403,
  NOT_ALLOWED_FOR_API_USERS: 403,
  // account token policies
  POLICY_INVALID: 422,
} as const satisfies Record<string, number>;

export type TokenErrorCode = keyof typeof TOKEN_ERROR_STATUS;

export class TokenError extends DomainError<TokenErrorCode> {
  override readonly name = 'TokenError';

  constructor(
    code: TokenErrorCode,
    message: string = code,
    /**
     * What the refusal is about: the calling token (its own scopes or accounts — nothing a
     * directory update could change) or the facts about the user (the default).
     */
    readonly about: 'user' | 'calling-token' = 'user',
  ) {
    super(code, message, { status: TOKEN_ERROR_STATUS[code] });
  }

  /** The HTTP status the edge answers with. */
  override get status(): number {
    return TOKEN_ERROR_STATUS[this.code];
  }
}

export function isTokenError(value: unknown): value is TokenError {
  return value instanceof TokenError;
}

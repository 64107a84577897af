import { DomainError } from '@latchkey/domain';

/**
 * The error codes of RFC 6749 §4.1.2.1 / §5.2, RFC 7009 and RFC 9126 that this server answers.
 * They are the RFCs' own lower_snake words (clients match on them), the one exception to our
 * UPPER_SNAKE domain codes.
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  unsupported_token_type: 400,
  invalid_request_uri: 400,
  server_error: 500,
  temporarily_unavailable: 503,
} as const satisfies Record<string, number>;
export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

export interface OAuthErrorOptions {
  /**
   * Whether the authorization endpoint may send this error back to the client's redirect URI.
   * Only once the client and its redirect URI are known good (RFC 6749 §4.1.2.1); before that —
   * unknown client, redirect URI not registered — the user sees an error page and nobody is
   * redirected anywhere.
   */
  redirectable?: boolean;
  /** The `WWW-Authenticate` challenge of a 401 (RFC 6749 §5.2: when the client used the Authorization header). */
  wwwAuthenticate?: string;
  cause?: unknown;
}

/**
 * The one error family of the OAuth routes (`/oauth/*`, the metadata): rendered as the RFC's
 * `{"error", "error_description"}` body, or as a redirect with those parameters (+ `state`,
 * `iss`), or as the error page — never as problem+json, which the /v1 API keeps.
 * `error_description` is for developers: it never holds a secret or says whether an account
 * exists.
 */
export class OAuthError extends DomainError<OAuthErrorCode> {
  override readonly name = 'OAuthError';
  readonly redirectable: boolean;
  readonly wwwAuthenticate: string | undefined;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(code, description, { status: OAUTH_ERROR_STATUS[code], cause: options.cause });
    this.redirectable = options.redirectable ?? false;
    this.wwwAuthenticate = options.wwwAuthenticate;
  }

  /** The RFC's body: `{ error, error_description }`. */
  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }

  /** The same error, allowed to go back to the client's redirect URI. */
  toRedirect(): OAuthError {
    return new OAuthError(this.code, this.message, {
      redirectable: true,
      wwwAuthenticate: this.wwwAuthenticate,
      cause: this.cause,
    });
  }
}

export function isOAuthError(value: unknown): value is OAuthError {
  return value instanceof OAuthError;
}

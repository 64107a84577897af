import { Strategy } from 'passport-strategy';
import {
  authenticateBearer,
  type BearerFailure,
  type BearerRequest,
  type BearerRequirements,
  type BearerVerifier,
} from './bearer-auth';

/** Carries a non-401 failure (400, 403, 503) to the error handler, with its headers and JSON body. */
export class BearerAuthError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: BearerFailure['body'];

  constructor(failure: BearerFailure) {
    super(failure.body.error_description);
    this.name = 'BearerAuthError';
    this.status = failure.status;
    this.headers = failure.headers;
    this.body = failure.body;
  }
}

/**
 * Passport strategy 'latchkey-bearer'. `passport.authenticate('latchkey-bearer', { session: false, scopes, account })`;
 * on success `req.user` is the ActiveToken. A 401 is a passport failure with the `WWW-Authenticate`
 * challenge; 400, 403 and 503 are passed on as a `BearerAuthError`.
 */
export class LatchkeyBearerStrategy extends Strategy {
  readonly name = 'latchkey-bearer';

  constructor(
    private readonly verifier: BearerVerifier,
    private readonly defaults: BearerRequirements = {},
  ) {
    super();
  }

  override authenticate(req: Parameters<Strategy['authenticate']>[0], options?: BearerRequirements): void {
    const outcome = authenticateBearer(this.verifier, req as unknown as BearerRequest, {
      ...this.defaults,
      ...options,
    });
    if (outcome.ok) return this.success(outcome.token);
    if (outcome.failure.status === 401) return this.fail(outcome.failure.headers['WWW-Authenticate'], 401);
    return this.error(new BearerAuthError(outcome.failure));
  }
}

import { CanActivate, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  authenticateBearer,
  authenticateBearerWithFallback,
  type BearerOutcome,
  type BearerRequest,
  type BearerRequirements,
  type BearerVerifier,
  type FallbackBearerVerifier,
} from '../passport/bearer-auth';

export const LATCHKEY_VERIFIER = Symbol('LATCHKEY_VERIFIER');
export const LATCHKEY_REQUIREMENTS = 'latchkey:requirements';

interface HeaderSetter {
  header(name: string, value: string): unknown;
}

function hasFallback(verifier: BearerVerifier): verifier is FallbackBearerVerifier {
  return typeof (verifier as Partial<FallbackBearerVerifier>).verifyWithFallback === 'function';
}

/**
 * Verifies the bearer token against the route's `@Authenticated()` requirements and puts the
 * ActiveToken on `request.user`; otherwise answers per RFC 6750 §3 (400/401/403, or 503 — before
 * the projection is ready and while it is stale). A token the projection does not know yet goes
 * through the verifier's miss fallback when it has one, so a token works on the first request
 * after the answer that created it.
 */
@Injectable()
export class LatchkeyAuthGuard implements CanActivate {
  constructor(
    @Inject(LATCHKEY_VERIFIER) private readonly verifier: BearerVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirements =
      this.reflector.getAllAndOverride<BearerRequirements | undefined>(LATCHKEY_REQUIREMENTS, [
        context.getHandler(),
        context.getClass(),
      ]) ?? {};
    const http = context.switchToHttp();
    const request = http.getRequest<BearerRequest & { user?: unknown; ip?: string }>();
    const outcome: BearerOutcome = hasFallback(this.verifier)
      ? await authenticateBearerWithFallback(this.verifier, request, requirements, { clientKey: request.ip })
      : authenticateBearer(this.verifier, request, requirements);
    if (outcome.ok) {
      request.user = outcome.token;
      return true;
    }
    const response = http.getResponse<HeaderSetter>();
    for (const [name, value] of Object.entries(outcome.failure.headers)) response.header(name, value);
    throw new HttpException(outcome.failure.body, outcome.failure.status);
  }
}

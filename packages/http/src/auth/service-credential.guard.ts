import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpProblem } from '../problem/problem';

/** Injection token of the credential a ServiceCredentialGuard expects (a string of 32+ characters). */
export const SERVICE_CREDENTIAL = Symbol('SERVICE_CREDENTIAL');

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Guards an internal listener's routes: the caller presents the configured service credential as
 * `Authorization: Bearer …`, compared in constant time (over SHA-256 digests, so the length of
 * the credential does not leak either). Anything else → 401 problem+json.
 */
@Injectable()
export class ServiceCredentialGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(SERVICE_CREDENTIAL) credential: string) {
    if (typeof credential !== 'string' || credential.length < 32)
      throw new RangeError('a service credential must be a string of at least 32 characters');
    this.expected = digest(credential);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>()
      .headers.authorization;
    const presented = typeof header === 'string' && /^Bearer [^\s]+$/i.test(header) ? header.slice(7) : '';
    if (presented === '' || !timingSafeEqual(digest(presented), this.expected)) {
      throw new HttpProblem(401, 'service_credential_required', 'This internal endpoint needs the service credential.');
    }
    return true;
  }
}

import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpProblem } from '@latchkey/http';
import { secretsEqual } from '@latchkey/token-format';
import { IDENTITY_CONTEXT, type IdentityContext } from '../identity.context';

/**
 * The internal listener's second lock (the first: it listens on its own address and port):
 * callers present INTERNAL_SERVICE_TOKEN as `Authorization: Bearer …`, compared in constant time.
 */
@Injectable()
export class ServiceCredentialGuard implements CanActivate {
  constructor(@Inject(IDENTITY_CONTEXT) private readonly ctx: IdentityContext) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers.authorization;
    const presented = typeof header === 'string' && /^Bearer [^\s]+$/i.test(header) ? header.slice(7) : '';
    if (presented === '' || !secretsEqual(presented, this.ctx.config.INTERNAL_SERVICE_TOKEN)) {
      throw new HttpProblem(401, 'service_credential_required', 'This internal endpoint needs the service credential.');
    }
    return true;
  }
}

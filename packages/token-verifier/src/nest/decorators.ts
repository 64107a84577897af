import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import type { ActiveToken } from '../verify';
import type { BearerRequirements } from '../passport/bearer-auth';
import { LATCHKEY_REQUIREMENTS, LatchkeyAuthGuard } from './latchkey-auth.guard';

/**
 * Protects a route (or every route of a controller) with a Latchkey bearer token:
 * `@Authenticated({ scopes: ['orders:read'], account: { header: 'x-account-id' } })`.
 */
export function Authenticated(requirements: BearerRequirements = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(LATCHKEY_REQUIREMENTS, requirements), UseGuards(LatchkeyAuthGuard));
}

/** The verified token of an `@Authenticated()` route. */
export const CurrentToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ActiveToken =>
    context.switchToHttp().getRequest<{ user: ActiveToken }>().user,
);

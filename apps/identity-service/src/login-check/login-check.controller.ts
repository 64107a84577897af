import { Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ServiceCredentialGuard, ValidBody } from '@latchkey/http';
import { LoginCheckBody, type LoginCheckBodyT } from '../api/identity.schemas';
import type { LoginResult } from '../credentials';
import { IDENTITY_CONTEXT, type IdentityContext } from '../identity.context';

/**
 * token-service's login check (internal listener only). Always 200: `{ ok: true, userId, kind }`
 * or `{ ok: false, reason: 'invalid_credentials' | 'locked' }` — an unknown e-mail, a wrong
 * password, an api user and a deactivated user answer alike, in about the same time.
 */
@Controller('internal')
@UseGuards(ServiceCredentialGuard)
export class LoginCheckController {
  constructor(@Inject(IDENTITY_CONTEXT) private readonly ctx: IdentityContext) {}

  @Post('login-check')
  @HttpCode(200)
  check(@ValidBody(LoginCheckBody) body: LoginCheckBodyT): Promise<LoginResult> {
    return this.ctx.loginChecker.check(body);
  }
}

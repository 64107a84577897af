import { Controller, Get, HttpCode, Inject, Put } from '@nestjs/common';
import { HttpProblem, ValidBody } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { userIdOf } from '../api/actor';
import { ChangeOwnPasswordBody, type ChangeOwnPasswordBodyT } from '../api/identity.schemas';
import { IdentityError } from '../domain';
import { IDENTITY_CONTEXT, type IdentityContext } from '../identity.context';
import type { UserView } from '../read-model/identity.queries';

/** The calling user: any valid token of a user (not of an OAuth client alone). */
@Controller('v1/me')
export class MeController {
  constructor(@Inject(IDENTITY_CONTEXT) private readonly ctx: IdentityContext) {}

  @Get()
  @Authenticated()
  async me(@CurrentToken() token: ActiveToken): Promise<UserView> {
    return this.user(token);
  }

  /**
   * Changes one's own password: the current one is checked like a login (it counts towards the
   * lockout), so a stolen token alone cannot take over the account.
   */
  @Put('password')
  @HttpCode(204)
  @Authenticated()
  async changePassword(
    @CurrentToken() token: ActiveToken,
    @ValidBody(ChangeOwnPasswordBody) body: ChangeOwnPasswordBodyT,
  ): Promise<void> {
    const user = await this.user(token);
    const check =
      user.email === null
        ? null
        : await this.ctx.loginChecker.check({ email: user.email, password: body.currentPassword });
    if (check === null || !check.ok || check.userId !== user.userId) {
      throw new HttpProblem(
        403,
        check?.ok === false && check.reason === 'locked' ? 'locked' : 'current_password_invalid',
        'The current password does not match, or too many attempts were made; try again later.',
      );
    }
    await this.ctx.users.setPassword(user.userId, body.newPassword);
  }

  private async user(token: ActiveToken): Promise<UserView> {
    const userId = userIdOf(token);
    const user = userId === null ? null : await this.ctx.queries.user(userId);
    if (!user) throw new IdentityError('USER_NOT_FOUND', 'this token does not belong to a user');
    return user;
  }
}

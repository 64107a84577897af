import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ValidBody } from '@latchkey/http';
import { FirstSignInBody, type FirstSignInBodyT } from '../api/identity.schemas';
import { IdentityError } from '../domain';
import { IDENTITY_CONTEXT, type IdentityContext } from '../identity.context';

/**
 * `POST /v1/first-sign-in`: the bootstrap administrator trades the one-time code of the first
 * sign-in link for a first password (the console's /setup page calls it). No bearer token: the
 * code is the credential. A user who has a password by now cannot be given another this way.
 */
@Controller('v1/first-sign-in')
export class FirstSignInController {
  constructor(@Inject(IDENTITY_CONTEXT) private readonly ctx: IdentityContext) {}

  @Post()
  @HttpCode(204)
  async redeem(@ValidBody(FirstSignInBody) body: FirstSignInBodyT): Promise<void> {
    await this.ctx.firstSignIn.redeem(body.code, async (userId) => {
      if ((await this.ctx.credentials.hashOf(userId)) !== null)
        throw new IdentityError('FIRST_SIGN_IN_INVALID', 'This administrator has a password already: sign in with it.');
      await this.ctx.users.setPassword(userId, body.password);
    });
  }
}

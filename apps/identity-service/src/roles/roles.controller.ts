import { Controller, Get, Inject } from '@nestjs/common';
import { Authenticated } from '@latchkey/token-verifier/nest';
import { IDENTITY_CONTEXT, type IdentityContext } from '../identity.context';

/** The built-in roles and what they resolve to with this installation's record types. */
@Controller('v1/roles')
export class RolesController {
  constructor(@Inject(IDENTITY_CONTEXT) private readonly ctx: IdentityContext) {}

  @Get()
  @Authenticated()
  list() {
    return {
      recordTypes: this.ctx.catalogue.recordTypes,
      items: this.ctx.catalogue.roles.map((r) => ({
        name: r.name,
        description: r.description,
        permissions: this.ctx.catalogue.resolve([r.name]),
        allowedKinds: r.allowedKinds,
      })),
    };
  }
}

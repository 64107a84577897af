import { Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ServiceCredentialGuard, ValidBody } from '@latchkey/http';
import { IntrospectBody, type IntrospectBodyT } from '../api/token.schemas';
import { TOKEN_CONTEXT, type TokenContext } from '../token.context';

/**
 * RFC 7662 introspection by token hash, for the verifiers' miss fallback (a token used
 * milliseconds after issue, before their projection has it). Internal listener only, with the
 * service credential; form body `token_hash=<SHA-256 base64url>` (the token itself never travels).
 * The verdict is the shared rule of every verifier (see TokenIntrospection): revoked, expired,
 * deactivated users and disabled or deleted applications are all inactive.
 */
@Controller('internal')
@UseGuards(ServiceCredentialGuard)
export class IntrospectionController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Post('introspect')
  @HttpCode(200)
  introspect(@ValidBody(IntrospectBody) body: IntrospectBodyT) {
    return this.ctx.introspection.answer(body.token_hash);
  }
}

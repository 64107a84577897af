import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { authenticatedClient } from '../clients/authenticated-client';
import { OAuthError } from '../oauth-error';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { formOf } from '../oauth-form';

/** `POST /oauth/revoke` (RFC 7009): a client revokes one of its own tokens; always 200 once authenticated. */
@Controller('oauth')
@UseFilters(OAuthErrorFilter)
export class OAuthRevocationController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Post('revoke')
  @HttpCode(200)
  async revoke(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<string> {
    void reply.header('cache-control', 'no-store');
    const form = formOf(body, request);
    const client = await authenticatedClient(request, form, this.ctx.clients, this.ctx.clock());
    const token = form.token;
    if (token === undefined || token === '') throw new OAuthError('invalid_request', 'token is required');
    const hint = form.token_type_hint;
    if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token')
      throw new OAuthError('unsupported_token_type', 'token_type_hint must be access_token or refresh_token');
    await this.ctx.oauth.revokeByClient(client, token);
    return '';
  }
}

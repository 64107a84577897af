import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { authenticatedClient } from '../clients/authenticated-client';
import type { TokenResponse } from '../grants/oauth-grant.commands';
import { OAuthError } from '../oauth-error';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { formOf } from '../oauth-form';
import { requestedScopes } from '../authorize/authorization-request';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/**
 * `POST /oauth/token` (RFC 6749 §3.2): the client authenticates, then exchanges a code or a
 * refresh token, or acts as itself (client_credentials). One module per grant type below; the
 * answer is never cached.
 */
@Controller('oauth')
@UseFilters(OAuthErrorFilter)
export class OAuthTokenController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Post('token')
  @HttpCode(200)
  async token(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<TokenResponse> {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const form = formOf(body, request);
    const client = await authenticatedClient(request, form, this.ctx.clients, this.ctx.clock());
    const grantType = form.grant_type;
    if (grantType === undefined || grantType === '') throw new OAuthError('invalid_request', 'grant_type is required');
    if (!(GRANT_TYPES as readonly string[]).includes(grantType))
      throw new OAuthError(
        'unsupported_grant_type',
        'grant_type must be authorization_code, refresh_token or client_credentials',
      );
    if (!client.grantTypes.includes(grantType as (typeof GRANT_TYPES)[number]))
      throw new OAuthError('unauthorized_client', `the client may not use the ${grantType} grant`);
    switch (grantType) {
      case 'authorization_code':
        return this.ctx.oauth.redeemCode({
          code: required(form, 'code'),
          client,
          redirectUri: form.redirect_uri,
          verifier: form.code_verifier,
        });
      case 'refresh_token':
        return this.ctx.oauth.refresh({
          refreshToken: required(form, 'refresh_token'),
          client,
          scope: form.scope === undefined ? null : requestedScopes(client, form.scope),
        });
      default:
        return this.ctx.oauth.clientCredentials(
          client,
          form.scope === undefined ? null : requestedScopes(client, form.scope),
        );
    }
  }
}

function required(form: Record<string, string | undefined>, name: string): string {
  const value = form[name];
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `${name} is required`);
  return value;
}

import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { parseSecret, hashSecret } from '@latchkey/token-format';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { authenticatedClient } from '../clients/authenticated-client';
import { OAuthError } from '../oauth-error';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { formOf } from '../oauth-form';

/** RFC 7662 answer to a client: exactly `{ "active": false }` unless the token is its own and active. */
export type ClientIntrospection =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      token_type: 'Bearer' | 'refresh_token';
      exp: number | undefined;
      sub: string;
    };

/**
 * `POST /oauth/introspect` (RFC 7662) for applications: a client may introspect the tokens issued
 * to it, decided by the one rule every verifier uses. Unknown, another client's, revoked or
 * expired → exactly `{"active": false}`. (Verifiers introspect on the internal listener instead.)
 */
@Controller('oauth')
@UseFilters(OAuthErrorFilter)
export class OAuthIntrospectionController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Post('introspect')
  @HttpCode(200)
  async introspect(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<ClientIntrospection> {
    void reply.header('cache-control', 'no-store');
    const form = formOf(body, request);
    const client = await authenticatedClient(request, form, this.ctx.clients, this.ctx.clock());
    const token = form.token;
    if (token === undefined || token === '') throw new OAuthError('invalid_request', 'token is required');
    const parsed = parseSecret(token);
    if (!parsed.ok || (parsed.kind !== 'at' && parsed.kind !== 'rt')) return { active: false };
    const { result } = await this.ctx.introspection.byHash(hashSecret(token));
    if (!result.active || result.clientId !== client.clientId) return { active: false };
    return {
      active: true,
      scope: result.effectiveScopes.join(' '),
      client_id: client.clientId,
      token_type: parsed.kind === 'at' ? 'Bearer' : 'refresh_token',
      exp: result.expiresAt === null ? undefined : Math.floor(Date.parse(result.expiresAt) / 1000),
      sub: result.subject ?? client.clientId,
    };
  }
}

import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { isScope } from '@latchkey/contracts';
import { repeatedFormFields } from '@latchkey/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { expandScopes } from '../../domain/scopes';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { authenticatedClient } from '../clients/authenticated-client';
import { OAuthClients, type OAuthClient } from '../clients/oauth-client';
import type { TokenResponse } from '../grants/oauth-grant.commands';
import { OAuthError } from '../oauth-error';
import { OAuthErrorFilter } from '../oauth-error.filter';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/** Forms on the public listener: only the OAuth endpoints take them, and they answer a repeated parameter themselves. */
export const OAUTH_FORMS = { pathPrefixes: ['/oauth/'], recordRepeated: true } as const;

/**
 * `POST /oauth/token` (RFC 6749 §3.2): the client authenticates, then exchanges a code or a
 * refresh token, or acts as itself (client_credentials). One module per grant type below; the
 * answer is never cached.
 */
@Controller('oauth')
@UseFilters(OAuthErrorFilter)
export class OAuthTokenController {
  private readonly clients: OAuthClients;

  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {
    this.clients = new OAuthClients(ctx.runtime.dataSource);
  }

  @Post('token')
  @HttpCode(200)
  async token(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<TokenResponse> {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const form = formOf(body, request);
    const client = await authenticatedClient(request, form, this.clients, this.ctx.clock());
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
          scope: form.scope === undefined ? null : scopeList(form.scope, client),
        });
      default:
        return this.ctx.oauth.clientCredentials(
          client,
          form.scope === undefined ? null : scopeList(form.scope, client),
        );
    }
  }
}

/** The form's fields; a JSON or other body, or a repeated field, is `invalid_request` (RFC 6749 §3.2). */
export function formOf(body: unknown, request: FastifyRequest): Record<string, string | undefined> {
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type) || typeof body !== 'object' || body === null)
    throw new OAuthError('invalid_request', 'the request body must be application/x-www-form-urlencoded');
  const repeated = repeatedFormFields(body);
  if (repeated.length > 0) throw new OAuthError('invalid_request', `${repeated[0].slice(0, 50)} must not be repeated`);
  return body as Record<string, string>;
}

function required(form: Record<string, string | undefined>, name: string): string {
  const value = form[name];
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `${name} is required`);
  return value;
}

/** A `scope` parameter: scopes separated by single spaces, expanded; beyond the client's ceiling → invalid_scope. */
function scopeList(scope: string, client: OAuthClient): string[] {
  const parts = scope.split(' ');
  if (parts.some((s) => !isScope(s)))
    throw new OAuthError('invalid_scope', 'scope must be scopes separated by single spaces');
  const expanded = expandScopes(parts);
  if (expanded.some((s) => !expandScopes(client.allowedScopes).includes(s)))
    throw new OAuthError('invalid_scope', 'the client may not request one of these scopes');
  return expanded;
}

import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { validateAuthorizationRequest, type RequestParameters } from '../authorize/authorization-request';
import { authenticatedClient } from '../clients/authenticated-client';
import { OAuthError } from '../oauth-error';
import { OAuthErrorFilter } from '../oauth-error.filter';
import { formOf } from '../oauth-form';
import { PushedRequests } from './pushed-requests';

/**
 * `POST /oauth/par` (RFC 9126): the client authenticates as at the token endpoint and pushes its
 * authorization request; the request is checked as /oauth/authorize would check it (errors
 * answered here, as JSON, never redirected) and kept under a one-time `request_uri` that the
 * client then sends the browser to /oauth/authorize with.
 */
@Controller('oauth')
@UseFilters(OAuthErrorFilter)
export class PushedAuthorizationController {
  private readonly pushed: PushedRequests;

  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {
    this.pushed = new PushedRequests(ctx.runtime.dataSource, ctx.clock);
  }

  @Post('par')
  @HttpCode(201)
  async push(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<{ request_uri: string; expires_in: number }> {
    void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const form = formOf(body, request);
    const client = await authenticatedClient(request, form, this.ctx.clients, this.ctx.clock());
    if (form.request_uri !== undefined)
      throw new OAuthError('invalid_request', 'request_uri must not be pushed (RFC 9126 §2.1)');
    const parameters: RequestParameters = Object.fromEntries(
      Object.entries(form)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([name, value]) => [name, [value]]),
    );
    // the same checks as the authorization endpoint, against the authenticated client
    validateAuthorizationRequest({ ...parameters, client_id: [client.clientId] }, () => client, { pushed: true });
    const { requestUri, expiresIn } = await this.pushed.push(client.clientId, parameters);
    return { request_uri: requestUri, expires_in: expiresIn };
  }
}

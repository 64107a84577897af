import { Controller, Get, Header, Inject } from '@nestjs/common';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { CLIENT_AUTH_METHODS } from '../clients/client-authentication';
import { STYLESHEET } from '../pages/layout';
import { PKCE_METHODS } from '../pkce/pkce';
import { GRANT_TYPES } from '../token/token.controller';

/** RFC 8414 authorization server metadata, from the configured issuer. */
export function authorizationServerMetadata(issuer: string, scopes: readonly string[]) {
  const at = (path: string) => `${issuer.replace(/\/$/, '')}${path}`;
  return {
    issuer,
    authorization_endpoint: at('/oauth/authorize'),
    token_endpoint: at('/oauth/token'),
    revocation_endpoint: at('/oauth/revoke'),
    introspection_endpoint: at('/oauth/introspect'),
    pushed_authorization_request_endpoint: at('/oauth/par'),
    // per application (its registry setting), not for every client
    require_pushed_authorization_requests: false,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...GRANT_TYPES],
    code_challenge_methods_supported: [...PKCE_METHODS],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    authorization_response_iss_parameter_supported: true,
    scopes_supported: [...scopes],
  };
}

@Controller()
export class MetadataController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  /** Discovery (RFC 8414): `scopes_supported` is what the active applications may request. */
  @Get('.well-known/oauth-authorization-server')
  @Header('cache-control', 'no-cache')
  async metadata() {
    const rows: Array<{ scope: string }> = await this.ctx.runtime.dataSource.query(
      `SELECT DISTINCT unnest(allowed_scopes) AS scope FROM directory_applications WHERE status = 'active' ORDER BY 1`,
    );
    return authorizationServerMetadata(
      this.ctx.config.OAUTH_ISSUER,
      rows.map((r) => r.scope),
    );
  }

  /** The pages' one stylesheet (same origin; the pages load nothing else). */
  @Get('oauth/assets/latchkey.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  @Header('x-content-type-options', 'nosniff')
  stylesheet(): string {
    return STYLESHEET;
  }
}

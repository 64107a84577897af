import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OAuthError, isOAuthError } from './oauth-error';

/**
 * Renders errors on the OAuth endpoints as RFC 6749 §5.2 bodies (`{"error", "error_description"}`,
 * `Cache-Control: no-store`, a `WWW-Authenticate` challenge on a 401 after HTTP Basic). Anything
 * that is not an OAuthError is a bug of ours: logged, answered `server_error` without detail.
 */
@Catch()
export class OAuthErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('oauth');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let error: OAuthError;
    if (isOAuthError(exception)) error = exception;
    else {
      this.log.error(
        'unexpected error on an OAuth endpoint',
        exception instanceof Error ? exception.stack : String(exception),
      );
      error = new OAuthError('server_error', 'the authorization server could not answer this request');
    }
    if (error.wwwAuthenticate !== undefined) void reply.header('www-authenticate', error.wwwAuthenticate);
    void reply
      .status(error.status ?? 400)
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .type('application/json')
      .send(error.body());
  }
}

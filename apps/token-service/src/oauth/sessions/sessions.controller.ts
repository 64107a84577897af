import { Controller, Delete, Get, HttpCode, Inject } from '@nestjs/common';
import { HttpProblem, keysetPage, ValidParams, ValidQuery } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { PageQuery, SessionParams, type PageQueryT } from '../../api/token.schemas';
import { SCOPES } from '../../domain';
import { callerOf } from '../../pats/actor-facts';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { BrowserState, type LoginSessionView } from './browser-state';

/**
 * Access & Security: where you are signed in to the authorization server (its login sessions),
 * and signing one out — that browser must sign in again before it can authorize anything. As
 * with authorizations, the calling token must carry `grants:read` / `grants:delete`: a token
 * handed to an application cannot see or end its owner's sessions.
 */
@Controller('v1/me/sessions')
export class MySessionsController {
  private readonly state: BrowserState;

  constructor(@Inject(TOKEN_CONTEXT) ctx: TokenContext) {
    this.state = new BrowserState(ctx.runtime.dataSource, ctx.clock);
  }

  @Get()
  @Authenticated({ scopes: [SCOPES.grants.read] })
  list(@CurrentToken() token: ActiveToken, @ValidQuery(PageQuery) query: PageQueryT) {
    const userId = callerOf(token);
    return keysetPage(
      query,
      (limit, after) => this.state.sessionsOf(userId, limit, after),
      (s: LoginSessionView) => [s.createdAt, s.sessionId],
    );
  }

  @Delete(':sessionId')
  @HttpCode(204)
  @Authenticated({ scopes: [SCOPES.grants.delete] })
  async revoke(@CurrentToken() token: ActiveToken, @ValidParams(SessionParams) { sessionId }: { sessionId: string }) {
    if (!(await this.state.revokeSession(callerOf(token), sessionId)))
      throw new HttpProblem(404, 'session_not_found', 'No such live session of yours.');
  }
}

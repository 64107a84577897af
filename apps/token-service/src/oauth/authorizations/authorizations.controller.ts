import { Controller, Delete, Get, HttpCode, Inject } from '@nestjs/common';
import { HttpProblem, keysetPage, ValidParams, ValidQuery } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { AccountGrantParams, AccountParams, GrantParams, PageQuery, type PageQueryT } from '../../api/token.schemas';
import { SCOPES } from '../../domain';
import { callerOf } from '../../pats/actor-facts';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import { AuthorizationQueries, type AuthorizationView } from './authorization.queries';

const notFound = () => new HttpProblem(404, 'grant_not_found', 'No such authorization.');
const IN_PATH_ACCOUNT = { param: 'accountId' } as const;

/**
 * Access & Security: the applications you authorized, and revoking one — every token of it is
 * refused everywhere at once. The calling token must carry `grants:read` / `grants:delete`, so a
 * token handed to an application (an OAuth access token with `orders:read`) cannot see or revoke
 * its owner's other authorizations.
 */
@Controller('v1/me/authorizations')
export class MyAuthorizationsController {
  private readonly queries: AuthorizationQueries;

  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {
    this.queries = new AuthorizationQueries(ctx.runtime.dataSource);
  }

  @Get()
  @Authenticated({ scopes: [SCOPES.grants.read] })
  list(@CurrentToken() token: ActiveToken, @ValidQuery(PageQuery) query: PageQueryT) {
    const userId = callerOf(token);
    return keysetPage(
      query,
      (limit, after) => this.queries.of(userId, limit, after),
      (a: AuthorizationView) => [a.createdAt, a.grantId],
    );
  }

  @Delete(':grantId')
  @HttpCode(204)
  @Authenticated({ scopes: [SCOPES.grants.delete] })
  async revoke(@CurrentToken() token: ActiveToken, @ValidParams(GrantParams) { grantId }: { grantId: string }) {
    const userId = callerOf(token);
    const grant = await this.queries.live(grantId);
    if (!grant || grant.kind !== 'authorization' || grant.userId !== userId) throw notFound();
    await this.ctx.oauth.revoke(grantId, 'user_request', userId, userId);
  }
}

/** An account's OAuth grants, for its administrators (`account_tokens:read` / `:delete`, as its PATs). */
@Controller('v1/accounts/:accountId/grants')
export class AccountGrantsController {
  private readonly queries: AuthorizationQueries;

  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {
    this.queries = new AuthorizationQueries(ctx.runtime.dataSource);
  }

  @Get()
  @Authenticated({ scopes: [SCOPES.account.read], account: IN_PATH_ACCOUNT })
  list(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountParams) { accountId }: { accountId: string },
    @ValidQuery(PageQuery) query: PageQueryT,
  ) {
    callerOf(token);
    return keysetPage(
      query,
      (limit, after) => this.queries.in(accountId, limit, after),
      (a: AuthorizationView) => [a.createdAt, a.grantId],
    );
  }

  @Delete(':grantId')
  @HttpCode(204)
  @Authenticated({ scopes: [SCOPES.account.delete], account: IN_PATH_ACCOUNT })
  async revoke(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountGrantParams) { accountId, grantId }: { accountId: string; grantId: string },
  ) {
    const actor = callerOf(token);
    const grant = await this.queries.live(grantId);
    if (!grant || !grant.accountIds.includes(accountId)) throw notFound();
    await this.ctx.oauth.revoke(grantId, 'administrator_request', actor, actor);
  }
}

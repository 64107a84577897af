import { Controller, Delete, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { keysetPage, ValidBody, ValidParams, ValidQuery } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { OptionalValidBody } from '../api/optional-body';
import {
  AccountParams,
  AccountPatParams,
  AccountUserParams,
  CreatePatForUserBody,
  PageQuery,
  RegeneratePatBody,
  type CreatePatForUserBodyT,
  type PageQueryT,
  type RegeneratePatBodyT,
} from '../api/token.schemas';
import { SCOPES, TokenError } from '../domain';
import type { PatView } from '../read-model/token.queries';
import { TOKEN_CONTEXT, type TokenContext } from '../token.context';
import { actorFacts, bearerOf, callerOf, expiryOf, requestedExpiry } from './actor-facts';

type Hdrs = Record<string, string | string[] | undefined>;
const IN_PATH_ACCOUNT = { param: 'accountId' } as const;

/**
 * An account's administrators (`account_tokens:*` in the token they call with) manage the tokens
 * that act in it: list them and read their history (`:read`), issue and regenerate them for
 * other users (`:create`) — `api` users, who never log in, `contact` users, limited to the
 * account's contact scopes, and humans — and revoke them (`:delete`). Issuing for someone else
 * needs `account_tokens:create` in every account of the token, and never goes beyond the
 * administrator's own token. A token that does not act in the path account is "not found", as
 * one that does not exist.
 */
@Controller('v1/accounts/:accountId')
export class AccountPatsController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Get('personal-access-tokens')
  @Authenticated({ scopes: [SCOPES.account.read], account: IN_PATH_ACCOUNT })
  list(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountParams) { accountId }: { accountId: string },
    @ValidQuery(PageQuery) query: PageQueryT,
  ) {
    callerOf(token);
    return keysetPage(
      query,
      (limit, after) => this.ctx.queries.patsIn(accountId, limit, after),
      (p) => [p.createdAt, p.id],
    );
  }

  /** Who created, regenerated and revoked it, and when. */
  @Get('personal-access-tokens/:id/events')
  @Authenticated({ scopes: [SCOPES.account.read], account: IN_PATH_ACCOUNT })
  async history(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountPatParams) { accountId, id }: { accountId: string; id: string },
  ) {
    callerOf(token);
    await this.inAccount(accountId, id);
    return { items: await this.ctx.pats.history(id) };
  }

  /** A token for a user (the decider checks the administrator, the user's permissions, the policies and the contact scopes). */
  @Post('users/:userId/personal-access-tokens')
  @HttpCode(201)
  @Authenticated({ scopes: [SCOPES.account.create], account: IN_PATH_ACCOUNT })
  async createFor(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(AccountUserParams) { accountId, userId }: { accountId: string; userId: string },
    @ValidBody(CreatePatForUserBody) body: CreatePatForUserBodyT,
  ): Promise<PatView & { token: string }> {
    const actor = callerOf(token);
    const accountIds = body.accountIds ?? [accountId];
    if (!accountIds.includes(accountId))
      throw new TokenError('ACCOUNT_NOT_HELD', 'the token must act in the account it is created from');
    const created = await this.ctx.pats.create(
      {
        userId,
        name: body.name,
        description: body.description ?? null,
        scopes: body.scopes,
        accountIds,
        expiresAt: expiryOf(body, this.ctx.clock()),
      },
      actorFacts(this.ctx.runtime.verifier, bearerOf(headers), accountIds, userId === actor),
      actor,
    );
    return { ...created.view, token: created.token };
  }

  /** A new secret for a token of the account (an api user's, typically), checked like a creation by this administrator. */
  @Post('personal-access-tokens/:id/regenerate')
  @HttpCode(201)
  @Authenticated({ scopes: [SCOPES.account.create], account: IN_PATH_ACCOUNT })
  async regenerate(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(AccountPatParams) { accountId, id }: { accountId: string; id: string },
    @OptionalValidBody(RegeneratePatBody) body: RegeneratePatBodyT,
  ): Promise<PatView & { token: string }> {
    const actor = callerOf(token);
    const pat = await this.inAccount(accountId, id);
    const secret = await this.ctx.pats.regenerate(
      id,
      actorFacts(this.ctx.runtime.verifier, bearerOf(headers), pat.accountIds, pat.userId === actor),
      actor,
      requestedExpiry(body, this.ctx.clock()),
    );
    return { ...(await this.inAccount(accountId, id)), token: secret };
  }

  @Delete('personal-access-tokens/:id')
  @HttpCode(204)
  @Authenticated({ scopes: [SCOPES.account.delete], account: IN_PATH_ACCOUNT })
  async revoke(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountPatParams) { accountId, id }: { accountId: string; id: string },
  ): Promise<void> {
    await this.inAccount(accountId, id);
    await this.ctx.pats.revoke(id, 'administrator_request', callerOf(token));
  }

  /** The token, if it acts in the account; one of another account answers exactly as one that does not exist. */
  private async inAccount(accountId: string, id: string): Promise<PatView> {
    const pat = await this.ctx.queries.pat(id);
    if (!pat || !pat.accountIds.includes(accountId))
      throw new TokenError('GRANT_NOT_FOUND', 'no such personal access token in this account');
    return pat;
  }
}

import { Controller, Delete, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { keysetPage, ValidBody, ValidParams, ValidQuery } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import {
  AccountParams,
  AccountPatParams,
  AccountUserParams,
  CreatePatForUserBody,
  PageQuery,
  type CreatePatForUserBodyT,
  type PageQueryT,
} from '../api/token.schemas';
import { TokenError } from '../domain';
import type { PatView } from '../read-model/token.queries';
import { TOKEN_CONTEXT, type TokenContext } from '../token.context';
import { actorFacts, bearerOf, callerOf, expiryOf } from './actor-facts';

type Hdrs = Record<string, string | string[] | undefined>;
const IN_PATH_ACCOUNT = { param: 'accountId' } as const;

/**
 * An account's administrators (`personal_access_tokens:*` there) manage the tokens that act in
 * it: list them, create them for other users — `api` users, who never log in, and `contact`
 * users, limited to the account's contact scopes — and revoke them.
 */
@Controller('v1/accounts/:accountId')
export class AccountPatsController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Get('personal-access-tokens')
  @Authenticated({ scopes: ['personal_access_tokens:read'], account: IN_PATH_ACCOUNT })
  list(@ValidParams(AccountParams) { accountId }: { accountId: string }, @ValidQuery(PageQuery) query: PageQueryT) {
    return keysetPage(
      query,
      (limit, after) => this.ctx.queries.patsIn(accountId, limit, after),
      (p) => [p.createdAt, p.id],
    );
  }

  /** A token for a user (the decider checks the policy, the user's permissions and the contact scopes). */
  @Post('users/:userId/personal-access-tokens')
  @HttpCode(201)
  @Authenticated({ scopes: ['personal_access_tokens:create'], account: IN_PATH_ACCOUNT })
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

  @Delete('personal-access-tokens/:id')
  @HttpCode(204)
  @Authenticated({ scopes: ['personal_access_tokens:delete'], account: IN_PATH_ACCOUNT })
  async revoke(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountPatParams) { accountId, id }: { accountId: string; id: string },
  ): Promise<void> {
    const pat = await this.ctx.queries.pat(id);
    if (!pat || !pat.accountIds.includes(accountId))
      throw new TokenError('GRANT_NOT_FOUND', 'no such personal access token in this account');
    await this.ctx.pats.revoke(id, 'administrator_request', callerOf(token));
  }
}

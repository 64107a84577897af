import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { keysetPage, ValidBody, ValidParams, ValidQuery } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { actorOf, userIdOf } from '../api/actor';
import {
  AccountParams,
  CreateAccountBody,
  PageQuery,
  type CreateAccountBodyT,
  type PageQueryT,
} from '../api/identity.schemas';

import { IdentityError } from '../domain';
import { IDENTITY_CONTEXT, type IdentityContext } from '../identity.context';
import type { AccountView } from '../read-model/identity.queries';

/** The token is checked in the account named by the `:accountId` path segment. */
export const IN_PATH_ACCOUNT = { param: 'accountId' } as const;
const accountKey = (a: AccountView): [string, string] => [a.createdAt, a.accountId];

@Controller('v1/accounts')
export class AccountsController {
  constructor(@Inject(IDENTITY_CONTEXT) private readonly ctx: IdentityContext) {}

  /** The accounts the calling token may act in. */
  @Get()
  @Authenticated()
  list(@CurrentToken() token: ActiveToken, @ValidQuery(PageQuery) query: PageQueryT) {
    return keysetPage(query, (limit, after) => this.ctx.queries.accounts(token.accountIds, limit, after), accountKey);
  }

  @Get(':accountId')
  @Authenticated({ scopes: ['accounts:read'], account: IN_PATH_ACCOUNT })
  get(@ValidParams(AccountParams) { accountId }: { accountId: string }): Promise<AccountView> {
    return this.account(accountId);
  }

  @Get(':accountId/accounts')
  @Authenticated({ scopes: ['accounts:read'], account: IN_PATH_ACCOUNT })
  children(@ValidParams(AccountParams) { accountId }: { accountId: string }, @ValidQuery(PageQuery) query: PageQueryT) {
    return keysetPage(query, (limit, after) => this.ctx.queries.children(accountId, limit, after), accountKey);
  }

  /** A standard account under this (directory) account; a human caller becomes its account_admin. */
  @Post(':accountId/accounts')
  @HttpCode(201)
  @Authenticated({ scopes: ['accounts:create'], account: IN_PATH_ACCOUNT })
  async create(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountParams) { accountId }: { accountId: string },
    @ValidBody(CreateAccountBody) body: CreateAccountBodyT,
  ): Promise<AccountView> {
    const created = await this.ctx.accounts.createStandard(accountId, body.name, userIdOf(token), actorOf(token));
    return this.account(created);
  }

  private async account(accountId: string): Promise<AccountView> {
    const account = await this.ctx.queries.account(accountId);
    if (!account) throw new IdentityError('ACCOUNT_NOT_FOUND', 'account not found');
    return account;
  }
}

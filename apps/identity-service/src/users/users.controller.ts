import { Controller, Delete, Get, HttpCode, Inject, Post, Put } from '@nestjs/common';
import { keysetPage, ValidBody, ValidParams, ValidQuery } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { IN_PATH_ACCOUNT } from '../accounts/accounts.controller';
import { actorOf } from '../api/actor';
import {
  AccountParams,
  AccountUserParams,
  DeactivateBody,
  PageQuery,
  RegisterUserBody,
  SetPasswordBody,
  SetRolesBody,
  type DeactivateBodyT,
  type PageQueryT,
  type RegisterUserBodyT,
  type SetPasswordBodyT,
  type SetRolesBodyT,
} from '../api/identity.schemas';

import { IdentityError } from '../domain';
import { IDENTITY_CONTEXT, type IdentityContext } from '../identity.context';
import type { UserView } from '../read-model/identity.queries';

type AccountUser = { accountId: string; userId: string };

/**
 * Users as an account's administrators see them. Isolation: the token is checked in the path's
 * account, a user outside that account answers 404 (whether or not it exists elsewhere), and every
 * answer shows the user's membership in this account only — never which other accounts the user
 * is in, nor when something changed there (IdentityQueries.userInAccount).
 * - read: members of the account;
 * - roles: members, or users whose home is this account or its directory (directory users join
 *   the directory's standard accounts);
 * - deactivate, reactivate, password: only from the user's home account.
 */
@Controller('v1/accounts/:accountId/users')
export class UsersController {
  constructor(@Inject(IDENTITY_CONTEXT) private readonly ctx: IdentityContext) {}

  @Post()
  @HttpCode(201)
  @Authenticated({ scopes: ['users:create'], account: IN_PATH_ACCOUNT })
  register(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountParams) { accountId }: { accountId: string },
    @ValidBody(RegisterUserBody) body: RegisterUserBodyT,
  ): Promise<UserView> {
    return this.ctx.users.register({ accountId, ...body }, actorOf(token));
  }

  @Get()
  @Authenticated({ scopes: ['users:read'], account: IN_PATH_ACCOUNT })
  list(@ValidParams(AccountParams) { accountId }: { accountId: string }, @ValidQuery(PageQuery) query: PageQueryT) {
    return keysetPage(
      query,
      (limit, after) => this.ctx.queries.members(accountId, limit, after),
      (u) => [u.joinedAt, u.userId],
    );
  }

  @Get(':userId')
  @Authenticated({ scopes: ['users:read'], account: IN_PATH_ACCOUNT })
  async get(@ValidParams(AccountUserParams) p: AccountUser): Promise<UserView> {
    const user = await this.ctx.queries.userInAccount(p.userId, p.accountId);
    if (!user || user.memberships.length === 0) throw notFound();
    return user;
  }

  /** Sets the user's roles in this account (adding the membership if new). */
  @Put(':userId/roles')
  @Authenticated({ scopes: ['users:update'], account: IN_PATH_ACCOUNT })
  async setRoles(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountUserParams) p: AccountUser,
    @ValidBody(SetRolesBody) body: SetRolesBodyT,
  ): Promise<UserView> {
    const user = await this.ctx.queries.user(p.userId);
    if (!user || !(await this.mayJoin(user, p.accountId))) throw notFound();
    if (body.roles.length === 0)
      throw new IdentityError('ROLES_REQUIRED', 'give at least one role, or DELETE the roles to remove the membership');
    await this.ctx.users.changeMembership(p.accountId, p.userId, body.roles, actorOf(token));
    return this.inAccount(p);
  }

  /** Removes the user from this account (their tokens lose this account's permissions at once). */
  @Delete(':userId/roles')
  @HttpCode(204)
  @Authenticated({ scopes: ['users:update'], account: IN_PATH_ACCOUNT })
  async removeMembership(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountUserParams) p: AccountUser,
  ): Promise<void> {
    const user = await this.ctx.queries.user(p.userId);
    if (!user || !user.memberships.some((m) => m.accountId === p.accountId)) throw notFound();
    await this.ctx.users.changeMembership(p.accountId, p.userId, [], actorOf(token));
  }

  @Post(':userId/deactivate')
  @Authenticated({ scopes: ['users:update'], account: IN_PATH_ACCOUNT })
  @HttpCode(200)
  async deactivate(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountUserParams) p: AccountUser,
    @ValidBody(DeactivateBody) body: DeactivateBodyT,
  ): Promise<UserView> {
    await this.homeUser(p);
    await this.ctx.users.deactivate(p.userId, body.reason, actorOf(token));
    return this.inAccount(p);
  }

  @Post(':userId/reactivate')
  @Authenticated({ scopes: ['users:update'], account: IN_PATH_ACCOUNT })
  @HttpCode(200)
  async reactivate(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountUserParams) p: AccountUser,
  ): Promise<UserView> {
    await this.homeUser(p);
    await this.ctx.users.reactivate(p.userId, actorOf(token));
    return this.inAccount(p);
  }

  /** An administrator sets a (first or new) password for a human or contact user. */
  @Put(':userId/password')
  @HttpCode(204)
  @Authenticated({ scopes: ['users:update'], account: IN_PATH_ACCOUNT })
  async setPassword(
    @ValidParams(AccountUserParams) p: AccountUser,
    @ValidBody(SetPasswordBody) body: SetPasswordBodyT,
  ): Promise<void> {
    await this.homeUser(p);
    await this.ctx.users.setPassword(p.userId, body.password);
  }

  /** What this account's API shows of the user: only its membership here. */
  private async inAccount(p: AccountUser): Promise<UserView> {
    return (await this.ctx.queries.userInAccount(p.userId, p.accountId)) as UserView;
  }

  private async homeUser(p: AccountUser): Promise<UserView> {
    const user = await this.ctx.queries.user(p.userId);
    if (!user || user.homeAccountId !== p.accountId) throw notFound();
    return user;
  }

  private async mayJoin(user: UserView, accountId: string): Promise<boolean> {
    if (user.homeAccountId === accountId || user.memberships.some((m) => m.accountId === accountId)) return true;
    const account = await this.ctx.queries.account(accountId);
    return account !== null && account.parentAccountId === user.homeAccountId;
  }
}

function notFound(): IdentityError {
  return new IdentityError('USER_NOT_FOUND', 'no such user in this account');
}

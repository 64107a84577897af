import { Controller, Delete, Get, Headers, HttpCode, Inject, Patch, Post } from '@nestjs/common';
import { keysetPage, ValidBody, ValidParams, ValidQuery } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import {
  ClientParams,
  DisableBody,
  PageQuery,
  RegisterApplicationBody,
  RotateSecretBody,
  UpdateApplicationBody,
  type DisableBodyT,
  type PageQueryT,
  type RegisterApplicationBodyT,
  type RotateSecretBodyT,
  type UpdateApplicationBodyT,
} from '../api/registry.schemas';
import { RegistryError } from '../domain';
import type { ApplicationView } from '../read-model/applications.queries';
import { REGISTRY_CONTEXT, type RegistryContext } from '../registry.context';
import { bearerOf, registrantOf } from './registrant';

/** Every route acts in the account named by `X-Account-Id`: the token is checked there, and only that account's applications exist for it. */
export const ACCOUNT_HEADER = 'x-account-id';
const IN_ACCOUNT = { header: ACCOUNT_HEADER } as const;
type Hdrs = Record<string, string | string[] | undefined>;

@Controller('v1/applications')
export class ApplicationsController {
  constructor(@Inject(REGISTRY_CONTEXT) private readonly ctx: RegistryContext) {}

  /** Registers an application owned by the account; the client secret (confidential clients) is in this answer only. */
  @Post()
  @HttpCode(201)
  @Authenticated({ scopes: ['applications:create'], account: IN_ACCOUNT })
  async register(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidBody(RegisterApplicationBody) body: RegisterApplicationBodyT,
  ): Promise<ApplicationView & { clientSecret: string | null }> {
    const owner = this.account(headers);
    const accountIds = body.accountIds ?? [owner];
    const registrant = registrantOf(this.ctx.runtime.verifier, bearerOf(headers), token, [owner, ...accountIds]);
    const { clientId, clientSecret } = await this.ctx.applications.register(
      {
        ...body,
        ownerAccountId: owner,
        accountIds,
        firstParty: body.firstParty ?? false,
        description: body.description ?? null,
      },
      registrant,
      actorOf(token),
    );
    return { ...(await this.owned(owner, clientId)), clientSecret };
  }

  @Get()
  @Authenticated({ scopes: ['applications:read'], account: IN_ACCOUNT })
  list(@Headers() headers: Hdrs, @ValidQuery(PageQuery) query: PageQueryT) {
    const owner = this.account(headers);
    return keysetPage(
      query,
      (limit, after) => this.ctx.queries.ownedBy(owner, limit, after),
      (a) => [a.createdAt, a.clientId],
    );
  }

  @Get(':clientId')
  @Authenticated({ scopes: ['applications:read'], account: IN_ACCOUNT })
  get(
    @Headers() headers: Hdrs,
    @ValidParams(ClientParams) { clientId }: { clientId: string },
  ): Promise<ApplicationView> {
    return this.owned(this.account(headers), clientId);
  }

  /** Changes the given fields (at least one); the same rules as registration apply to the result. */
  @Patch(':clientId')
  @Authenticated({ scopes: ['applications:update'], account: IN_ACCOUNT })
  async update(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(ClientParams) { clientId }: { clientId: string },
    @ValidBody(UpdateApplicationBody) body: UpdateApplicationBodyT,
  ): Promise<ApplicationView> {
    const owner = this.account(headers);
    const app = await this.owned(owner, clientId);
    const registrant = registrantOf(this.ctx.runtime.verifier, bearerOf(headers), token, [
      owner,
      ...(body.accountIds ?? app.accountIds),
    ]);
    await this.ctx.applications.update(clientId, body, registrant, actorOf(token));
    return this.owned(owner, clientId);
  }

  /** A new client secret (in this answer only); the previous one keeps working for `overlapSeconds`. */
  @Post(':clientId/secret')
  @HttpCode(201)
  @Authenticated({ scopes: ['applications:update'], account: IN_ACCOUNT })
  async rotate(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(ClientParams) { clientId }: { clientId: string },
    @ValidBody(RotateSecretBody) body: RotateSecretBodyT,
  ) {
    await this.owned(this.account(headers), clientId);
    return { clientId, ...(await this.ctx.applications.rotateSecret(clientId, body.overlapSeconds, actorOf(token))) };
  }

  /** Every token of the application stops working at once (verifier rule; token-service revokes its grants). */
  @Post(':clientId/disable')
  @HttpCode(200)
  @Authenticated({ scopes: ['applications:update'], account: IN_ACCOUNT })
  async disable(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(ClientParams) { clientId }: { clientId: string },
    @ValidBody(DisableBody) body: DisableBodyT,
  ): Promise<ApplicationView> {
    const owner = this.account(headers);
    await this.owned(owner, clientId);
    await this.ctx.applications.disable(clientId, body.reason, actorOf(token));
    return this.owned(owner, clientId);
  }

  @Post(':clientId/enable')
  @HttpCode(200)
  @Authenticated({ scopes: ['applications:update'], account: IN_ACCOUNT })
  async enable(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(ClientParams) { clientId }: { clientId: string },
  ): Promise<ApplicationView> {
    const owner = this.account(headers);
    await this.owned(owner, clientId);
    await this.ctx.applications.enable(clientId, actorOf(token));
    return this.owned(owner, clientId);
  }

  @Delete(':clientId')
  @HttpCode(204)
  @Authenticated({ scopes: ['applications:delete'], account: IN_ACCOUNT })
  async delete(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(ClientParams) { clientId }: { clientId: string },
  ): Promise<void> {
    await this.owned(this.account(headers), clientId);
    await this.ctx.applications.delete(clientId, actorOf(token));
  }

  private account(headers: Hdrs): string {
    return String(headers[ACCOUNT_HEADER]);
  }

  /** The application if this account owns it; otherwise 404, whether or not it exists elsewhere. */
  private async owned(owner: string, clientId: string): Promise<ApplicationView> {
    const app = await this.ctx.queries.application(clientId);
    if (!app || app.ownerAccountId !== owner)
      throw new RegistryError('APPLICATION_NOT_FOUND', 'no such application in this account');
    return app;
  }
}

function actorOf(token: ActiveToken): string {
  return token.subject ?? `token:${token.tokenId}`;
}

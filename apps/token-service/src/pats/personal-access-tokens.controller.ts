import { Controller, Delete, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { keysetPage, ValidBody, ValidParams, ValidQuery } from '@latchkey/http';
import { hashSecret, parseSecret } from '@latchkey/token-format';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { OptionalValidBody } from '../api/optional-body';
import {
  CheckTokenBody,
  CreatePatBody,
  PageQuery,
  PatParams,
  RegeneratePatBody,
  type CheckTokenBodyT,
  type CreatePatBodyT,
  type PageQueryT,
  type RegeneratePatBodyT,
} from '../api/token.schemas';
import { SCOPES, TokenError } from '../domain';
import type { PatView } from '../read-model/token.queries';
import { TOKEN_CONTEXT, type TokenContext } from '../token.context';
import { actorFacts, bearerOf, callerOf, expiryOf, requestedExpiry, requireScopeIn } from './actor-facts';

type Hdrs = Record<string, string | string[] | undefined>;

/**
 * Your own personal access tokens. Each route needs the matching scope in the calling token —
 * `personal_access_tokens:read` to list, read, check and see the history, `:delete` to revoke,
 * `:create` to create and regenerate (in each account the new token acts in) — so a token handed
 * to an integration cannot manage its owner's other tokens. A new token never exceeds the one
 * that creates or regenerates it.
 */
@Controller('v1/personal-access-tokens')
export class PersonalAccessTokensController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Post()
  @HttpCode(201)
  @Authenticated({ scopes: [SCOPES.own.create] })
  async create(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidBody(CreatePatBody) body: CreatePatBodyT,
  ): Promise<PatView & { token: string }> {
    const userId = callerOf(token);
    const raw = bearerOf(headers);
    requireScopeIn(this.ctx.runtime.verifier, raw, body.accountIds, SCOPES.own.create);
    const created = await this.ctx.pats.create(
      {
        userId,
        name: body.name,
        description: body.description ?? null,
        scopes: body.scopes,
        accountIds: body.accountIds,
        expiresAt: expiryOf(body, this.ctx.clock()),
      },
      actorFacts(this.ctx.runtime.verifier, raw, body.accountIds, true),
      userId,
    );
    return { ...created.view, token: created.token };
  }

  @Get()
  @Authenticated({ scopes: [SCOPES.own.read] })
  list(@CurrentToken() token: ActiveToken, @ValidQuery(PageQuery) query: PageQueryT) {
    const userId = callerOf(token);
    return keysetPage(
      query,
      (limit, after) => this.ctx.queries.patsOf(userId, limit, after),
      (p) => [p.createdAt, p.id],
    );
  }

  /** Whether a token is good, and (if it is yours) which one it is. The token is only hashed, never kept or logged. */
  @Post('check')
  @HttpCode(200)
  @Authenticated({ scopes: [SCOPES.own.read] })
  async check(@CurrentToken() token: ActiveToken, @ValidBody(CheckTokenBody) body: CheckTokenBodyT) {
    let result = this.ctx.runtime.verifier.verify(body.token);
    // unknown to the projection may mean "issued a moment ago": the tables decide, by the same rule
    // (a refresh token is no bearer token: it is never "active" here, as at every verifier)
    const parsed = parseSecret(body.token);
    if (!result.active && result.reason === 'unknown' && parsed.ok && parsed.kind !== 'rt')
      result = (await this.ctx.introspection.byHash(hashSecret(body.token))).result;
    if (!result.active) return { active: false, reason: result.reason };
    if (result.subject !== callerOf(token)) return { active: true };
    const pat = await this.ctx.queries.pat(result.grantId);
    return {
      active: true,
      id: result.grantId,
      name: pat?.name,
      effectiveScopes: result.effectiveScopes,
      expiresAt: result.expiresAt,
    };
  }

  @Get(':id')
  @Authenticated({ scopes: [SCOPES.own.read] })
  get(@CurrentToken() token: ActiveToken, @ValidParams(PatParams) { id }: { id: string }): Promise<PatView> {
    return this.own(callerOf(token), id);
  }

  /** Who created, regenerated and revoked it, and when. */
  @Get(':id/events')
  @Authenticated({ scopes: [SCOPES.own.read] })
  async history(@CurrentToken() token: ActiveToken, @ValidParams(PatParams) { id }: { id: string }) {
    await this.own(callerOf(token), id);
    return { items: await this.ctx.pats.history(id) };
  }

  /**
   * A new secret, same settings; the old one stops working at once. Checked like a creation
   * (today's permissions, token and policies); api users get theirs from an administrator.
   */
  @Post(':id/regenerate')
  @HttpCode(201)
  @Authenticated({ scopes: [SCOPES.own.create] })
  async regenerate(
    @CurrentToken() token: ActiveToken,
    @Headers() headers: Hdrs,
    @ValidParams(PatParams) { id }: { id: string },
    @OptionalValidBody(RegeneratePatBody) body: RegeneratePatBodyT,
  ): Promise<PatView & { token: string }> {
    const userId = callerOf(token);
    const raw = bearerOf(headers);
    const pat = await this.own(userId, id);
    requireScopeIn(this.ctx.runtime.verifier, raw, pat.accountIds, SCOPES.own.create);
    const secret = await this.ctx.pats.regenerate(
      id,
      actorFacts(this.ctx.runtime.verifier, raw, pat.accountIds, true),
      userId,
      requestedExpiry(body, this.ctx.clock()),
    );
    return { ...(await this.own(userId, id)), token: secret };
  }

  /** Revokes it at once; revoking a revoked token changes nothing (204 again). */
  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ scopes: [SCOPES.own.delete] })
  async revoke(@CurrentToken() token: ActiveToken, @ValidParams(PatParams) { id }: { id: string }): Promise<void> {
    const userId = callerOf(token);
    await this.own(userId, id);
    await this.ctx.pats.revoke(id, 'user_request', userId);
  }

  private async own(userId: string, id: string): Promise<PatView> {
    const pat = await this.ctx.queries.pat(id);
    if (!pat || pat.userId !== userId)
      throw new TokenError('GRANT_NOT_FOUND', 'no such personal access token of yours');
    return pat;
  }
}

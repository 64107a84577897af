import { Controller, Get, Inject, Put } from '@nestjs/common';
import { ValidBody, ValidParams } from '@latchkey/http';
import type { ActiveToken } from '@latchkey/token-verifier';
import { Authenticated, CurrentToken } from '@latchkey/token-verifier/nest';
import { AccountParams, TokenPolicyBody, type TokenPolicyBodyT } from '../api/token.schemas';
import { DEFAULT_TOKEN_POLICY, SCOPES } from '../domain';
import type { TokenPolicyView } from '../read-model/token.queries';
import { TOKEN_CONTEXT, type TokenContext } from '../token.context';
import { callerOf } from '../pats/actor-facts';

const IN_PATH_ACCOUNT = { param: 'accountId' } as const;

/**
 * An account's personal access token policy. Changing it applies to tokens created from then
 * on; existing tokens keep their lifetime and scopes (effective scopes still follow the user's
 * permissions live). Revoke tokens explicitly to end them.
 */
@Controller('v1/accounts/:accountId/token-policy')
export class TokenPolicyController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  /** Members may read it (`personal_access_tokens:read`): they need to know the maximum lifetime. */
  @Get()
  @Authenticated({ scopes: [SCOPES.own.read], account: IN_PATH_ACCOUNT })
  async get(@ValidParams(AccountParams) { accountId }: { accountId: string }): Promise<TokenPolicyView> {
    return (await this.ctx.queries.policies([accountId]))[accountId] ?? { accountId, ...DEFAULT_TOKEN_POLICY };
  }

  /** Administrators set it (`account_tokens:update`). */
  @Put()
  @Authenticated({ scopes: [SCOPES.account.update], account: IN_PATH_ACCOUNT })
  async set(
    @CurrentToken() token: ActiveToken,
    @ValidParams(AccountParams) { accountId }: { accountId: string },
    @ValidBody(TokenPolicyBody) body: TokenPolicyBodyT,
  ): Promise<TokenPolicyView> {
    await this.ctx.policies.set({ accountId, ...body }, callerOf(token));
    return (await this.ctx.queries.policies([accountId]))[accountId];
  }
}

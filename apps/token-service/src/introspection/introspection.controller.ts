import { Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ServiceCredentialGuard, ValidBody } from '@latchkey/http';
import { intersectScopes } from '@latchkey/token-verifier';
import { IntrospectBody, type IntrospectBodyT } from '../api/token.schemas';
import { TOKEN_CONTEXT, type TokenContext } from '../token.context';

const INACTIVE = Object.freeze({ active: false });

/**
 * RFC 7662 introspection by token hash, for the verifiers' miss fallback (a token used
 * milliseconds after issue, before their projection has it). Internal listener only, with the
 * service credential; form body `token_hash=<SHA-256 base64url>` (the token itself never travels).
 * `scope` holds the scopes effective in every account of the token (token scopes ∩ the user's
 * current permissions there): conservative for a multi-account token, and only until the
 * caller's projection catches up.
 */
@Controller('internal')
@UseGuards(ServiceCredentialGuard)
export class IntrospectionController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  @Post('introspect')
  @HttpCode(200)
  async introspect(@ValidBody(IntrospectBody) body: IntrospectBodyT) {
    const row = await this.ctx.queries.byHash(body.token_hash);
    if (!row || row.revoked) return INACTIVE;
    if (row.expiresAt !== null && row.expiresAt.getTime() <= this.ctx.clock().getTime()) return INACTIVE;
    let scopes = row.scopes;
    let subjectKind: string = 'client';
    if (row.userId !== null) {
      const user = await this.ctx.queries.user(row.userId);
      if (!user || !user.active) return INACTIVE;
      subjectKind = user.kind;
      for (const account of row.accountIds) scopes = intersectScopes(scopes, user.permissions[account] ?? []);
    }
    return {
      active: true,
      token_type: 'Bearer',
      scope: scopes.join(' '),
      sub: row.userId ?? row.clientId,
      subject_kind: subjectKind,
      ...(row.clientId !== null ? { client_id: row.clientId } : {}),
      token_id: row.tokenId,
      grant_id: row.grantId,
      accounts: row.accountIds,
      ...(row.expiresAt !== null ? { exp: Math.floor(row.expiresAt.getTime() / 1000) } : {}),
    };
  }
}

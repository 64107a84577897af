import { HttpProblem } from '@latchkey/http';
import type { ActiveToken, TokenVerifier } from '@latchkey/token-verifier';
import { covers } from '@latchkey/token-verifier';
import type { PatActorFacts } from '../domain';

const ADMIN_SCOPES = [
  'personal_access_tokens:create',
  'personal_access_tokens:read',
  'personal_access_tokens:update',
  'personal_access_tokens:delete',
];

/** The bearer token of a request the guard has already accepted. */
export function bearerOf(headers: Record<string, string | string[] | undefined>): string {
  const value = headers.authorization;
  return typeof value === 'string' ? value.replace(/^bearer\s+/i, '') : '';
}

/** The calling user's id; a token of an OAuth client alone has none (403). */
export function callerOf(token: ActiveToken): string {
  if (token.subjectKind === 'client' || token.subject === null)
    throw new HttpProblem(403, 'user_token_required', 'This needs a token of a user, not of an application alone.');
  return token.subject;
}

/**
 * What the PAT decider needs about the actor, from the calling token's effective scopes in each
 * account concerned: where they administer PATs (all four `personal_access_tokens` actions) and,
 * when creating for themselves, the token's scopes (a PAT never exceeds the token that creates it).
 */
export function actorFacts(
  verifier: TokenVerifier,
  rawToken: string,
  accounts: readonly string[],
  isSelf: boolean,
): PatActorFacts {
  const administers: string[] = [];
  const tokenScopes: Record<string, readonly string[]> = {};
  for (const account of new Set(accounts)) {
    const r = verifier.verify(rawToken, { account });
    const scopes = r.active ? r.effectiveScopes : [];
    tokenScopes[account] = scopes;
    if (ADMIN_SCOPES.every((s) => scopes.some((g) => covers(g, s)))) administers.push(account);
  }
  return isSelf ? { isSelf, administers, tokenScopes } : { isSelf, administers };
}

/** Requires `scope` in every account (403 insufficient_scope, RFC 6750 style, naming the first account without it). */
export function requireScopeIn(
  verifier: TokenVerifier,
  rawToken: string,
  accounts: readonly string[],
  scope: string,
): void {
  for (const account of accounts) {
    const r = verifier.verify(rawToken, { account, requiredScopes: [scope] });
    if (!r.active || r.missingScopes.length > 0)
      throw new HttpProblem(403, 'insufficient_scope', `The token lacks ${scope} in account ${account}.`, {
        extra: { scope },
      });
  }
}

/** expiresAt / expiresInDays → an ISO date or null (never both). */
export function expiryOf(body: { expiresAt?: string | null; expiresInDays?: number }, now: Date): string | null {
  if (body.expiresAt !== undefined && body.expiresInDays !== undefined)
    throw new HttpProblem(400, 'validation_failed', 'Give expiresAt or expiresInDays, not both.', {
      errors: [{ path: '/expiresInDays', message: 'must not be given with expiresAt' }],
    });
  if (body.expiresInDays !== undefined) return new Date(now.getTime() + body.expiresInDays * 86_400_000).toISOString();
  return body.expiresAt ?? null;
}

import { HttpProblem } from '@latchkey/http';
import type { ActiveToken, TokenVerifier } from '@latchkey/token-verifier';
import { covers } from '@latchkey/token-verifier';
import { SCOPES, type PatActorFacts } from '../domain';

/** The bearer token of a request the guard has already accepted. */
export function bearerOf(headers: Record<string, string | string[] | undefined>): string {
  const value = headers.authorization;
  return typeof value === 'string' ? value.replace(/^bearer\s+/i, '') : '';
}

/** The calling user's id; a token of an OAuth client alone has none (403). */
export function callerOf(token: ActiveToken): string {
  if (token.subjectKind === 'client' || token.subject === null)
    throw new HttpProblem(403, 'user_token_required', 'This needs a token of a user, not of an application alone.');
  // a token handed to an application never manages its owner's tokens or authorizations, whatever
  // scopes the application was allowed: else it could mint itself a PAT that outlives its grant.
  // The console's tokens may: the console is where people manage them, and its tokens never leave
  // its server (they act for their user as a login session does)
  if (token.clientId !== null && !token.viaConsole)
    throw new HttpProblem(
      403,
      'personal_token_required',
      'Tokens and authorizations are managed with a personal access token, not with a token issued to an application.',
    );
  return token.subject;
}

/**
 * What the PAT decider needs about the actor, from the calling token's effective scopes in each
 * account of the token to issue: where they administer (the token covers `account_tokens:create`)
 * and the token's scopes there — the ceiling of every token it issues, for oneself or for others.
 */
export function actorFacts(
  verifier: Pick<TokenVerifier, 'verify'>,
  rawToken: string,
  accounts: readonly string[],
  isSelf: boolean,
): PatActorFacts & { tokenScopes: Record<string, readonly string[]> } {
  const administers: string[] = [];
  const tokenScopes: Record<string, readonly string[]> = {};
  for (const account of new Set(accounts)) {
    const r = verifier.verify(rawToken, { account });
    const scopes = r.active ? r.effectiveScopes : [];
    tokenScopes[account] = scopes;
    if (scopes.some((g) => covers(g, SCOPES.account.create))) administers.push(account);
  }
  return { isSelf, administers, tokenScopes };
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

/** expiresAt / expiresInDays → an ISO date or null (never both); undefined when neither is given. */
export function requestedExpiry(
  body: { expiresAt?: string | null; expiresInDays?: number },
  now: Date,
): string | null | undefined {
  if (body.expiresAt !== undefined && body.expiresInDays !== undefined)
    throw new HttpProblem(400, 'validation_failed', 'Give expiresAt or expiresInDays, not both.', {
      errors: [{ path: '/expiresInDays', message: 'must not be given with expiresAt' }],
    });
  if (body.expiresInDays !== undefined) return new Date(now.getTime() + body.expiresInDays * 86_400_000).toISOString();
  return body.expiresAt;
}

/** The expiry of a new token: as requested, or none. */
export function expiryOf(body: { expiresAt?: string | null; expiresInDays?: number }, now: Date): string | null {
  return requestedExpiry(body, now) ?? null;
}

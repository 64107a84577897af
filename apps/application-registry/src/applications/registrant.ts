import type { ActiveToken, TokenVerifier } from '@latchkey/token-verifier';
import type { Registrant } from '../domain';

/**
 * What the registering admin holds, as the application decider needs it: the token's effective
 * scopes in each account concerned (token scopes ∩ the user's current permissions there), and
 * the accounts the *user* administers (`accounts:update` among their permissions: only the
 * account_admin role grants it). The ceiling of an application can never exceed this.
 */
export function registrantOf(
  verifier: TokenVerifier,
  rawToken: string,
  token: ActiveToken,
  accounts: readonly string[],
): Registrant {
  const permissions: Record<string, readonly string[]> = {};
  const administers: string[] = [];
  const user =
    token.subjectKind === 'client' || token.subject === null ? undefined : verifier.projection.user(token.subject);
  for (const account of new Set(accounts)) {
    const r = verifier.verify(rawToken, { account });
    if (r.active) permissions[account] = r.effectiveScopes;
    if (user?.permissions.get(account)?.includes('accounts:update')) administers.push(account);
  }
  return { permissions, administers };
}

/** The bearer token of a request the guard has already accepted. */
export function bearerOf(headers: Record<string, string | string[] | undefined>): string {
  const value = headers.authorization;
  return typeof value === 'string' ? value.replace(/^bearer\s+/i, '') : '';
}

import { parseSecret } from '@latchkey/token-format';
import { intersectFrozen, intersectScopes, missingScopes, NO_SCOPES } from './projection/scopes';
import { expandId, expiresAtMs, tokenKey, type TokenProjection } from './projection/token-projection';

export type InactiveReason =
  | 'malformed'
  | 'bad_checksum'
  | 'unknown'
  | 'expired'
  | 'token_revoked'
  | 'grant_revoked'
  | 'user_deactivated'
  | 'application_disabled'
  | 'account_not_allowed';

export interface ActiveToken {
  active: true;
  subject: string | null;
  subjectKind: 'human' | 'api' | 'contact' | 'client' | null;
  tokenId: string;
  grantId: string;
  clientId: string | null;
  accountIds: readonly string[];
  /** token scopes ∩ the user's current permissions (in `account`, or in any of the token's accounts) */
  effectiveScopes: readonly string[];
  /** required scopes that the effective scopes do not cover (empty: allowed) */
  missingScopes: readonly string[];
  expiresAt: string | null;
}

export type VerifyResult = ActiveToken | { active: false; reason: InactiveReason };

export interface VerifyOptions {
  account?: string;
  requiredScopes?: readonly string[];
}

/** DESIGN §4, in order: checksum, known hash, not revoked, not expired, user active, application enabled, scopes. */
export function verifyToken(
  projection: TokenProjection,
  token: string,
  options: VerifyOptions = {},
  now: number = Date.now(),
): VerifyResult {
  const parsed = parseSecret(token);
  if (!parsed.ok) return { active: false, reason: parsed.reason };
  if (parsed.kind === 'cs' || parsed.kind === 'rt') return { active: false, reason: 'unknown' }; // not bearer tokens
  const entry = projection.token(tokenKey(token));
  if (!entry) return { active: false, reason: 'unknown' };
  if ('revoked' in entry) return { active: false, reason: entry.revoked };
  const revoked = projection.revocationOf(entry);
  if (revoked) return { active: false, reason: revoked };
  const expiresAt = expiresAtMs(entry);
  if (expiresAt !== null && expiresAt <= now) return { active: false, reason: 'expired' };
  const user = entry.userId !== null ? projection.user(entry.userId) : undefined;
  if (user?.deactivated === true) return { active: false, reason: 'user_deactivated' };
  if (entry.clientId !== null && projection.isApplicationDisabled(entry.clientId))
    return { active: false, reason: 'application_disabled' };
  if (options.account !== undefined && !entry.accountIds.includes(options.account))
    return { active: false, reason: 'account_not_allowed' };

  let effective: readonly string[];
  if (entry.userId === null) effective = projection.sortedScopes(entry.scopes);
  else if (user === undefined)
    effective = NO_SCOPES; // no permissions known: the token may do nothing yet
  else {
    const account = options.account ?? (entry.accountIds.length === 1 ? entry.accountIds[0] : undefined);
    // one account (the usual case): a memoized intersection of two interned lists
    effective =
      account !== undefined
        ? intersectFrozen(entry.scopes, user.permissions.get(account) ?? NO_SCOPES)
        : intersectScopes(
            entry.scopes,
            entry.accountIds.flatMap((a) => user.permissions.get(a) ?? NO_SCOPES),
          );
  }
  return {
    active: true,
    subject: entry.userId ?? entry.clientId,
    subjectKind: entry.userId !== null ? (user?.kind ?? null) : 'client',
    tokenId: expandId(entry.tokenId),
    grantId: expandId(entry.grantId),
    clientId: entry.clientId,
    accountIds: entry.accountIds,
    effectiveScopes: effective,
    missingScopes: missingScopes(options.requiredScopes ?? NO_SCOPES, effective),
    expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
  };
}

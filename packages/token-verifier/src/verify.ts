import { parseSecret } from '@latchkey/token-format';
import { intersectScopes, missingScopes } from './projection/scopes';
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
  effectiveScopes: string[];
  /** required scopes that the effective scopes do not cover (empty: allowed) */
  missingScopes: string[];
  expiresAt: string | null;
}

export type VerifyResult = ActiveToken | { active: false; reason: InactiveReason };

export interface VerifyOptions {
  account?: string;
  requiredScopes?: readonly string[];
}

/** DESIGN §4, in order: checksum, known hash, not revoked, not expired, user active, application enabled, scopes. */
export function verifyToken(projection: TokenProjection, token: string, options: VerifyOptions = {}, now: number = Date.now()): VerifyResult {
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
  if (entry.userId !== null && projection.isUserDeactivated(entry.userId)) return { active: false, reason: 'user_deactivated' };
  if (entry.clientId !== null && projection.isApplicationDisabled(entry.clientId)) return { active: false, reason: 'application_disabled' };
  if (options.account !== undefined && !entry.accountIds.includes(options.account)) return { active: false, reason: 'account_not_allowed' };

  const accounts = options.account !== undefined ? [options.account] : entry.accountIds;
  let effective: string[];
  if (entry.userId === null) effective = [...entry.scopes].sort();
  else {
    const userId = entry.userId;
    effective = intersectScopes(entry.scopes, accounts.flatMap((a) => projection.permissions(userId, a)));
  }
  return {
    active: true,
    subject: entry.userId ?? entry.clientId,
    subjectKind: entry.userId !== null ? projection.userKind(entry.userId) : 'client',
    tokenId: expandId(entry.tokenId),
    grantId: expandId(entry.grantId),
    clientId: entry.clientId,
    accountIds: entry.accountIds,
    effectiveScopes: effective,
    missingScopes: missingScopes(options.requiredScopes ?? [], effective),
    expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
  };
}

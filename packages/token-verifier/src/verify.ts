import { parseSecret } from '@latchkey/token-format';
import { decideActive, type VerifyOptions, type VerifyResult } from './activity/token-activity';
import { expandId, expiresAtMs, tokenKey, type TokenProjection } from './projection/token-projection';

export type {
  ActiveToken,
  InactiveReason,
  VerifyOptions,
  VerifyResult,
  TokenFacts,
  UserFacts,
} from './activity/token-activity';

/**
 * The verification rule (docs/architecture.md) against the local projection: the checksum (no lookup for garbage), the hash in the
 * projection, then the one rule of `decideActive` over what the projection knows of the token, its
 * user and its application.
 */
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
  return decideActive(
    {
      tokenId: expandId(entry.tokenId),
      grantId: expandId(entry.grantId),
      userId: entry.userId,
      clientId: entry.clientId,
      accountIds: entry.accountIds,
      scopes: entry.scopes,
      expiresAtMs: expiresAtMs(entry),
      revoked: projection.revocationOf(entry),
    },
    entry.userId === null ? undefined : projection.user(entry.userId),
    entry.clientId === null ? undefined : projection.application(entry.clientId),
    options,
    now,
  );
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../oauth-error';

/** The only method we accept (RFC 9700 §2.1.1: `plain` gives no protection against a leaked request). */
export const PKCE_METHODS = ['S256'] as const;

/** RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** BASE64URL(SHA-256(verifier)) without padding is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

/**
 * The code_challenge of an authorization request: required for every client, S256 only. Errors
 * are redirectable (the client and redirect URI were checked before).
 */
export function requireS256Challenge(challenge: string | undefined, method: string | undefined): string {
  if (challenge === undefined || challenge === '')
    throw new OAuthError('invalid_request', 'code_challenge is required (PKCE with S256)', { redirectable: true });
  if (method !== 'S256')
    throw new OAuthError(
      'invalid_request',
      method === undefined || method === 'plain'
        ? 'code_challenge_method must be S256 (plain is not accepted)'
        : 'code_challenge_method must be S256',
      { redirectable: true },
    );
  if (!S256_CHALLENGE.test(challenge))
    throw new OAuthError(
      'invalid_request',
      'code_challenge must be the 43-character base64url SHA-256 of the verifier',
      {
        redirectable: true,
      },
    );
  return challenge;
}

/** The S256 challenge of a well-formed verifier (RFC 7636 §4.2), or null. */
export function s256ChallengeOf(verifier: unknown): string | null {
  if (typeof verifier !== 'string' || !VERIFIER.test(verifier)) return null;
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether `verifier` is well formed and its S256 transform is `challenge` (compared in constant time). */
export function verifierMatches(verifier: unknown, challenge: string): boolean {
  const derived = s256ChallengeOf(verifier);
  if (derived === null) return false;
  const actual = Buffer.from(derived);
  const expected = Buffer.from(challenge);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

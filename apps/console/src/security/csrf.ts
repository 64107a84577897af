import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens bound to a session: an HMAC of the session id under the console's key, so a token
 * taken from one session is worthless in another and nothing needs storing. Every state-changing
 * request carries it in the form field `csrf` (SameSite=Lax cookies are the second line).
 */
export class CsrfTokens {
  constructor(private readonly key: Buffer) {}

  tokenFor(sessionId: string): string {
    return createHmac('sha256', this.key).update(`csrf:${sessionId}`).digest('base64url');
  }

  /** Constant-time comparison; false for anything missing or malformed. */
  verify(sessionId: string, presented: unknown): boolean {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > 100) return false;
    const expected = Buffer.from(this.tokenFor(sessionId));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

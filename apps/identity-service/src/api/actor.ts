import type { ActiveToken } from '@latchkey/token-verifier';

/** Who did it, as recorded in event metadata: the token's subject (user or client id). */
export function actorOf(token: ActiveToken): string {
  return token.subject ?? `token:${token.tokenId}`;
}

/** The token's user id, or null for a client (OAuth client_credentials) token. */
export function userIdOf(token: ActiveToken): string | null {
  return token.subjectKind === 'client' ? null : token.subject;
}

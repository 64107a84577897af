import { repeatedFormFields } from '@latchkey/http';
import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error';

/** Forms on the public listener: only the OAuth endpoints take them, and they answer a repeated parameter themselves. */
export const OAUTH_FORMS = { pathPrefixes: ['/oauth/'], recordRepeated: true } as const;

/**
 * The fields of a token, revocation or introspection request; a JSON or other body, or a repeated
 * field, is `invalid_request` (RFC 6749 §3.2).
 */
export function formOf(body: unknown, request: FastifyRequest): Record<string, string | undefined> {
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type) || typeof body !== 'object' || body === null)
    throw new OAuthError('invalid_request', 'the request body must be application/x-www-form-urlencoded');
  const repeated = repeatedFormFields(body);
  if (repeated.length > 0) throw new OAuthError('invalid_request', `${repeated[0].slice(0, 50)} must not be repeated`);
  return body as Record<string, string>;
}

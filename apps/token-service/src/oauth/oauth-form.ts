import { repeatedFormFields, type FormOptions } from '@latchkey/http';
import type { FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error';

const NOT_A_FORM = 'the request body must be application/x-www-form-urlencoded';

/**
 * Forms on the public listener: only the OAuth endpoints take them, and they answer a repeated
 * parameter themselves; a body refused before any route runs (not a form, too large) is
 * answered in RFC 6749 §5.2's words too, not as problem+json.
 */
export const OAUTH_FORMS: FormOptions = {
  pathPrefixes: ['/oauth/'],
  recordRepeated: true,
  clientError: ({ status, detail }) => ({
    status: status === 413 ? 413 : 400,
    contentType: 'application/json',
    body: JSON.stringify({ error: 'invalid_request', error_description: status === 415 ? NOT_A_FORM : detail }),
  }),
};

/**
 * The fields of a token, revocation or introspection request; a JSON or other body, or a repeated
 * field, is `invalid_request` (RFC 6749 §3.2).
 */
export function formOf(body: unknown, request: FastifyRequest): Record<string, string | undefined> {
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type) || typeof body !== 'object' || body === null)
    throw new OAuthError('invalid_request', NOT_A_FORM);
  const repeated = repeatedFormFields(body);
  if (repeated.length > 0) throw new OAuthError('invalid_request', `${repeated[0].slice(0, 50)} must not be repeated`);
  return body as Record<string, string>;
}

import type { OAuthError } from '../oauth-error';

/**
 * The redirect back to the client (RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207): the parameters are
 * added to the redirect URI's query, keeping the query it was registered with; `iss` is on every
 * response, errors included, so the client can tell which server answered (mix-up defence).
 */
export function authorizationResponseUrl(
  redirectUri: string,
  issuer: string,
  outcome: { code: string } | { error: OAuthError },
  state: string | null,
): string {
  const url = new URL(redirectUri);
  if ('code' in outcome) url.searchParams.append('code', outcome.code);
  else {
    const body = outcome.error.body();
    url.searchParams.append('error', body.error);
    url.searchParams.append('error_description', body.error_description);
  }
  if (state !== null) url.searchParams.append('state', state);
  url.searchParams.append('iss', issuer);
  return url.toString();
}

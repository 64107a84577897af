/**
 * The headers of every page of the authorization server: nothing framed (clickjacking), no script
 * at all, styles and forms only from here — plus, on the consent page, the client's redirect
 * origin, because browsers apply `form-action` to the redirect that follows the POST — no
 * referrer, never cached, no CORS.
 */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...new Set(formTargets.map((uri) => new URL(uri).origin))].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      "style-src 'self'",
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

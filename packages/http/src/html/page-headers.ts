export interface PageHeaderOptions {
  /**
   * Origins a form may post to besides this one. Browsers apply `form-action` to the redirect
   * that follows a POST, so a page whose form ends at another origin (the consent page, at the
   * client's redirect URI) names it here.
   */
  formTargets?: readonly string[];
  /** Same-origin scripts allowed (`script-src 'self'`); never inline ones. Default: no script at all. */
  scripts?: boolean;
}

/**
 * The headers of every HTML page Latchkey serves (the authorization server's and the console's):
 * nothing framed (clickjacking), no inline script, styles and forms only from here, no referrer,
 * never cached, no CORS.
 */
export function pageHeaders(options: PageHeaderOptions = {}): Record<string, string> {
  const formAction = ["'self'", ...new Set((options.formTargets ?? []).map((uri) => new URL(uri).origin))].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      ...(options.scripts ? ["script-src 'self'", "connect-src 'self'", "img-src 'self'"] : []),
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

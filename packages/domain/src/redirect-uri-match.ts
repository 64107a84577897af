/** Hosts a native app's loopback redirect URI may name (RFC 8252 §7.3). */
export const LOOPBACK_HOSTS: readonly string[] = Object.freeze(['127.0.0.1', '[::1]', 'localhost']);

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** A canonical loopback `http` URI without its port, or null for anything else. */
function loopbackWithoutPort(value: string): string | null {
  const url = parse(value);
  if (url === null || url.href !== value || url.protocol !== 'http:' || !LOOPBACK_HOSTS.includes(url.hostname))
    return null;
  if (url.username !== '' || url.password !== '') return null;
  url.port = '';
  return url.href;
}

/**
 * THE rule of whether a redirect URI from an authorization request matches one of the registered
 * ones — the registry registers by it, the authorization server redirects by it: exact string
 * equality, with one exception (RFC 8252 §7.3): for a loopback `http` URI the port may differ,
 * because a native app gets an ephemeral port from the OS. Everything else — scheme, host, path,
 * query — must still be identical, and the requested URI must be in canonical form.
 */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (typeof requested !== 'string' || requested.length === 0) return false;
  if (registered.includes(requested)) return true;
  const requestedWithoutPort = loopbackWithoutPort(requested);
  if (requestedWithoutPort === null) return false;
  return registered.some((uri) => loopbackWithoutPort(uri) === requestedWithoutPort);
}

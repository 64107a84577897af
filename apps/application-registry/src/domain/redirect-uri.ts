import { LOOPBACK_HOSTS, redirectUriMatches } from '@latchkey/domain';
import { RegistryError } from './registry-error';
import { hasControlCharacter, quoteShort } from './text';

/** Longest redirect URI the contracts accept. */
export const REDIRECT_URI_MAX_LENGTH = 2000;

/** Hosts for which plain `http` is allowed (RFC 8252 §7.3, §8.3), as WHATWG URL spells them. */
export { LOOPBACK_HOSTS };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** Whitespace, Unicode included (control characters are checked apart). */
const WHITESPACE = /\s/;

function invalid(raw: string, rule: string): RegistryError {
  return new RegistryError('REDIRECT_URI_INVALID', `redirect URI ${quoteShort(raw)} ${rule}`);
}

function parse(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** The authority (between `//` and the next `/`, `?` or `#`) of a URI as written, or null. */
function writtenAuthority(raw: string): string | null {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(raw);
  return match === null ? null : match[1];
}

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname);
}

/**
 * Checks a redirect URI for registration (RFC 6749 §3.1.2, RFC 8252, OAuth 2.0 Security BCP) and
 * returns it exactly as given: matching is exact string comparison, so the stored string is never
 * rewritten. To give "exact" one meaning, a URI whose WHATWG-normalized form differs from the
 * input (upper-case scheme or host, default port, dot segments, unencoded characters...) is
 * refused with the canonical form in the message. Throws REDIRECT_URI_INVALID naming the rule.
 */
export function checkRedirectUri(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new RegistryError('REDIRECT_URI_INVALID', 'a redirect URI must be a non-empty string');
  }
  if (raw.length > REDIRECT_URI_MAX_LENGTH) throw invalid(raw, `must be at most ${REDIRECT_URI_MAX_LENGTH} characters`);
  if (WHITESPACE.test(raw) || hasControlCharacter(raw))
    throw invalid(raw, 'must not contain whitespace or control characters');
  if (raw.includes('#')) throw invalid(raw, 'must not contain a fragment (#)');
  if (raw.includes('*')) throw invalid(raw, 'must not contain a wildcard (*)');
  const scheme = SCHEME.exec(raw);
  if (scheme === null) throw invalid(raw, 'must be an absolute URI (https://...)');
  const schemeName = scheme[1].toLowerCase();
  if (schemeName !== 'https' && schemeName !== 'http') {
    throw invalid(
      raw,
      `must use https (or http for a loopback host), not the scheme ${JSON.stringify(schemeName.slice(0, 40))}`,
    );
  }
  const authority = writtenAuthority(raw);
  if (authority !== null && authority.includes('@')) throw invalid(raw, 'must not contain user information (user@)');
  const url = parse(raw);
  if (url === null) throw invalid(raw, 'is not a valid absolute URI');
  if (url.username !== '' || url.password !== '') throw invalid(raw, 'must not contain user information (user@)');
  if (url.protocol === 'http:' && !isLoopbackHttp(url)) {
    throw invalid(raw, `may use http only for a loopback host (${LOOPBACK_HOSTS.join(', ')}); use https`);
  }
  if (url.href !== raw) throw invalid(raw, `is not in canonical form; register it as ${quoteShort(url.href)}`);
  return raw;
}

/** The one matching rule, shared with the authorization server (see @latchkey/domain). */
export { redirectUriMatches };

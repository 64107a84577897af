/**
 * The request-target rule of the gateway, applied to every request BEFORE any routing (the
 * gateway's own and Fastify's): a path is accepted only when every server behind the gateway can
 * read it in one way only, so that the path the route policy matched is the path the upstream
 * resolves (the upstream receives it byte for byte as it arrived).
 *
 * Accepted: origin-form (`/…`, RFC 9112 §3.2.1) whose segments hold only RFC 3986 `pchar`s other
 * than `;`, i.e. `A-Z a-z 0-9 - . _ ~ ! $ & ' ( ) * + , = : @`, and percent-encodings of other
 * octets (`%20`, `%3F`, UTF-8 such as `%C3%A9`). One trailing slash is syntax like any other
 * (`/a/`): whether it matters is the route's `trailingSlash` setting. The query is not examined
 * (it is not used for routing and goes upstream as received) beyond refusing `#`.
 *
 * Refused (each a {@link PathRefusal}), because frameworks read them differently:
 * - not origin-form: absolute-form `http://host/x` (which authority counts, the URL's or Host?),
 *   `*`, or anything not starting with `/`;
 * - `#` anywhere (clients never send a fragment; some servers cut the path there, others do not);
 * - empty segments (`//`: collapsed by some servers, kept by others);
 * - `.` and `..` segments (resolved by some servers, a traversal for others);
 * - `;` raw or `%3B` (path parameters: Tomcat, Jetty and Spring cut the segment there);
 * - `\` raw or `%5C` (a separator on Windows servers and for some normalizers);
 * - `%2F` (an encoded separator: decoded before splitting by some servers);
 * - `%25` (double encoding, `%252e`: decoded twice by some stacks);
 * - a percent-encoded unreserved character, `%2E` included (not the normal form of RFC 3986
 *   §6.2.2.2: normalizers decode it, others keep it);
 * - control characters, raw or encoded (C0, DEL and C1);
 * - a malformed encoding (`%zz`, `%4`) or one that is not UTF-8 (`%FF`, overlong forms);
 * - a segment that Unicode compatibility normalization (NFKC, applied by some frameworks) turns
 *   into `.`/`..` or something holding `/`, `\`, `;` or `%` (fullwidth `％`, `．．`, `／`);
 * - any other character (space, `"`, `<`, `>`, `[`, `]`, `^`, `` ` ``, `{`, `|`, `}`, non-ASCII).
 *   Node's parser already refuses raw controls, spaces and non-ASCII bytes (400 before this runs).
 */
export type PathRefusal =
  | 'not_origin_form'
  | 'fragment'
  | 'empty_segment'
  | 'dot_segment'
  | 'semicolon'
  | 'backslash'
  | 'encoded_slash'
  | 'encoded_backslash'
  | 'encoded_semicolon'
  | 'encoded_percent'
  | 'encoded_dot'
  | 'encoded_unreserved'
  | 'control_character'
  | 'malformed_encoding'
  | 'ambiguous_unicode'
  | 'invalid_character';

export type PathVerdict =
  | { readonly ok: true; readonly pathname: string; readonly search: string }
  | { readonly ok: false; readonly reason: PathRefusal; readonly detail: string };

/** What each refusal tells the client (fixed texts: the path itself is never echoed). */
export const PATH_REFUSAL_DETAIL: Readonly<Record<PathRefusal, string>> = {
  not_origin_form: 'The request target must be a path starting with "/" (no absolute URL, no "*").',
  fragment: 'The request target must not contain "#".',
  empty_segment: 'The path must not contain an empty segment ("//").',
  dot_segment: 'The path must not contain "." or ".." segments.',
  semicolon: 'The path must not contain ";" (path parameters are not supported).',
  backslash: 'The path must not contain a backslash.',
  encoded_slash: 'The path must not contain an encoded slash (%2F).',
  encoded_backslash: 'The path must not contain an encoded backslash (%5C).',
  encoded_semicolon: 'The path must not contain an encoded semicolon (%3B).',
  encoded_percent: 'The path must not contain an encoded percent sign (%25, double encoding).',
  encoded_dot: 'The path must not contain an encoded dot (%2E).',
  encoded_unreserved: 'The path must not percent-encode letters, digits or "-", "_", "~" (send them as they are).',
  control_character: 'The path must not contain control characters, raw or encoded.',
  malformed_encoding: 'The path has a malformed percent-encoding or one that is not UTF-8.',
  ambiguous_unicode: 'The path has characters that Unicode normalization turns into path syntax.',
  invalid_character: 'The path contains a character that must be percent-encoded.',
};

// Character classes of the raw path, by char code (0..127); anything above 127 is invalid.
const ALLOWED = 0;
const INVALID = 1;
const CLASS = new Uint8Array(128).fill(INVALID);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@")
  CLASS[c.charCodeAt(0)] = ALLOWED;
const RAW_REFUSAL: Partial<Record<number, PathRefusal>> = {
  0x3b: 'semicolon',
  0x5c: 'backslash',
  0x23: 'fragment',
};

/** The refusal for a percent-encoded ASCII octet, or undefined when the octet may be encoded. */
function encodedAsciiRefusal(octet: number): PathRefusal | undefined {
  if (octet < 0x20 || octet === 0x7f) return 'control_character';
  switch (octet) {
    case 0x2f:
      return 'encoded_slash';
    case 0x5c:
      return 'encoded_backslash';
    case 0x3b:
      return 'encoded_semicolon';
    case 0x25:
      return 'encoded_percent';
    case 0x2e:
      return 'encoded_dot';
  }
  const unreserved =
    (octet >= 0x30 && octet <= 0x39) ||
    (octet >= 0x41 && octet <= 0x5a) ||
    (octet >= 0x61 && octet <= 0x7a) ||
    octet === 0x2d ||
    octet === 0x5f ||
    octet === 0x7e;
  return unreserved ? 'encoded_unreserved' : undefined;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

const C1_CONTROLS = /[\u0080-\u009f]/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const SYNTAX_AFTER_NFKC = /[/\\;%\u0000-\u001f\u007f]/;

/** Checks a segment holding percent-encoded non-ASCII octets: valid UTF-8, no C1 control, stable under NFKC. */
function nonAsciiRefusal(segment: string): PathRefusal | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return 'malformed_encoding';
  }
  if (C1_CONTROLS.test(decoded)) return 'control_character';
  const normalized = decoded.normalize('NFKC');
  if (normalized !== decoded && (normalized === '.' || normalized === '..' || SYNTAX_AFTER_NFKC.test(normalized)))
    return 'ambiguous_unicode';
  return undefined;
}

function refuse(reason: PathRefusal): PathVerdict {
  return { ok: false, reason, detail: PATH_REFUSAL_DETAIL[reason] };
}

/**
 * Classifies a request target as received (`req.url`): accepted with its path and query
 * (`search` is `''` or starts with `?`), or refused with the rule it breaks (see the module comment).
 */
export function classifyRequestPath(target: string): PathVerdict {
  if (target.charCodeAt(0) !== 0x2f /* / */) return refuse('not_origin_form');
  const q = target.indexOf('?');
  const end = q < 0 ? target.length : q;
  let segmentStart = 1;
  let nonAscii = false;
  for (let i = 1; i <= end; i++) {
    const code = i < end ? target.charCodeAt(i) : 0x2f; // the end closes the last segment
    if (code === 0x2f) {
      const length = i - segmentStart;
      if (length === 0 && i < end) return refuse('empty_segment');
      if (
        (length === 1 && target.charCodeAt(segmentStart) === 0x2e) ||
        (length === 2 && target.charCodeAt(segmentStart) === 0x2e && target.charCodeAt(segmentStart + 1) === 0x2e)
      )
        return refuse('dot_segment');
      if (nonAscii) {
        const refusal = nonAsciiRefusal(target.slice(segmentStart, i));
        if (refusal) return refuse(refusal);
        nonAscii = false;
      }
      segmentStart = i + 1;
      continue;
    }
    if (code === 0x25 /* % */) {
      const hi = i + 2 < end ? hexValue(target.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(target.charCodeAt(i + 2)) : -1;
      if (lo < 0) return refuse('malformed_encoding');
      const octet = hi * 16 + lo;
      if (octet >= 0x80) nonAscii = true;
      else {
        const refusal = encodedAsciiRefusal(octet);
        if (refusal) return refuse(refusal);
      }
      i += 2;
      continue;
    }
    if (code < 0x80 && CLASS[code] === ALLOWED) continue;
    if (code < 0x20 || code === 0x7f) return refuse('control_character');
    return refuse(RAW_REFUSAL[code] ?? 'invalid_character');
  }
  if (q >= 0 && target.indexOf('#', q) >= 0) return refuse('fragment');
  return { ok: true, pathname: target.slice(0, end), search: q < 0 ? '' : target.slice(q) };
}

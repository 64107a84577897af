import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { BASE62_ALPHABET, bytesToBigInt, encodeBase62, encodeBase62Int } from './base62';

/**
 * Latchkey secrets (the verification rule in docs/architecture.md): `lk_<kind>_<43 base62 chars of 32 random bytes><6 base62 chars
 * of the CRC32 of everything before it>`. The `lk_` prefix makes leaks findable by secret
 * scanners; the checksum lets a verifier reject garbage without a lookup.
 */
export const SECRET_KINDS = ['pat', 'at', 'rt', 'cs'] as const;
/** pat: personal access token · at: OAuth access token · rt: refresh token · cs: client secret. */
export type SecretKind = (typeof SECRET_KINDS)[number];

export const RANDOM_BYTES = 32;
/** 62^43 > 2^256: 43 digits hold any 32 bytes. */
export const BODY_LENGTH = 43;
/** 62^6 > 2^32: 6 digits hold any CRC32. */
export const CHECKSUM_LENGTH = 6;
/** base62 digit value by char code, -1 for anything else (the parser's shape check, no regex). */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i++) DIGIT[BASE62_ALPHABET.charCodeAt(i)] = i;

export function isSecretKind(value: string): value is SecretKind {
  return (SECRET_KINDS as readonly string[]).includes(value);
}

function checksum(text: string): string {
  return encodeBase62Int(crc32(text), CHECKSUM_LENGTH);
}

/** A new secret of the given kind from the CSPRNG. Show it once; keep only `hashSecret` of it. */
export function generateSecret(kind: SecretKind, random: (n: number) => Uint8Array = randomBytes): string {
  if (!isSecretKind(kind)) throw new TypeError(`unknown secret kind: ${String(kind)}`);
  const body = encodeBase62(bytesToBigInt(random(RANDOM_BYTES)), BODY_LENGTH);
  const head = `lk_${kind}_${body}`;
  return head + checksum(head);
}

export type ParsedSecret =
  | { readonly ok: true; readonly kind: SecretKind }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad_checksum' };

// The answers are shared frozen objects: parsing sits on every verification's hot path.
const MALFORMED: ParsedSecret = Object.freeze({ ok: false, reason: 'malformed' });
const BAD_CHECKSUM: ParsedSecret = Object.freeze({ ok: false, reason: 'bad_checksum' });
const PARSED = Object.fromEntries(SECRET_KINDS.map((k) => [k, Object.freeze({ ok: true, kind: k })])) as Record<
  SecretKind,
  ParsedSecret
>;

/** The kind named by `lk_<kind>_` at the start of value, and where the body starts; null if none. */
function kindOf(value: string): SecretKind | null {
  if (value.charCodeAt(0) !== 108 /* l */ || value.charCodeAt(1) !== 107 /* k */ || value.charCodeAt(2) !== 95 /* _ */)
    return null;
  if (value.length === 56) return value.startsWith('pat_', 3) ? 'pat' : null;
  if (value.length !== 55 || value.charCodeAt(5) !== 95) return null;
  const k = value.slice(3, 5);
  return k === 'at' || k === 'rt' || k === 'cs' ? k : null;
}

/**
 * Checks the shape and the checksum, with no lookup. A well-formed secret with a good checksum
 * may still be unknown or revoked: that is the verifier's business.
 */
export function parseSecret(value: unknown): ParsedSecret {
  if (typeof value !== 'string') return MALFORMED;
  const kind = kindOf(value);
  if (kind === null) return MALFORMED;
  const bodyStart = kind.length + 4;
  const end = value.length;
  let sum = 0;
  for (let i = bodyStart; i < end; i++) {
    const c = value.charCodeAt(i);
    const d = c < 128 ? DIGIT[c] : -1;
    if (d < 0) return MALFORMED;
    if (i >= end - CHECKSUM_LENGTH) sum = sum * 62 + d;
  }
  // A plain comparison is fine here: the checksum is no secret (anyone can compute it from the
  // rest of the token), so timing reveals nothing. Secrets are compared with secretsEqual.
  return crc32(value.slice(0, end - CHECKSUM_LENGTH)) === sum ? PARSED[kind] : BAD_CHECKSUM;
}

/** SHA-256, base64url without padding (43 chars): what is stored and published. 256 random bits need no salt. */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'base64url');
}

/** What may be shown and logged: the kind prefix and the first 4 random characters, e.g. `lk_pat_7fQ2`. */
export function displayPrefix(secret: string): string {
  const m = /^(lk_(?:pat|at|rt|cs)_)([0-9A-Za-z]{4})/.exec(secret);
  return m ? m[1] + m[2] : 'lk_?';
}

/** Constant-time comparison of two secrets or hashes (compares SHA-256 digests, so lengths may differ). */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

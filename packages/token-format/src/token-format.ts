import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { bytesToBigInt, encodeBase62, encodeBase62Int } from './base62';

/**
 * Latchkey secrets (DESIGN §4): `lk_<kind>_<43 base62 chars of 32 random bytes><6 base62 chars
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
const MAX_LENGTH = 'lk_pat_'.length + BODY_LENGTH + CHECKSUM_LENGTH;
const SHAPE = /^lk_(pat|at|rt|cs)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

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
  | { ok: true; kind: SecretKind }
  | { ok: false; reason: 'malformed' | 'bad_checksum' };

/**
 * Checks the shape and the checksum, with no lookup. A well-formed secret with a good checksum
 * may still be unknown or revoked: that is the verifier's business.
 */
export function parseSecret(value: unknown): ParsedSecret {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return { ok: false, reason: 'malformed' };
  const m = SHAPE.exec(value);
  if (!m) return { ok: false, reason: 'malformed' };
  // A plain comparison is fine here: the checksum is no secret (anyone can compute it from the
  // rest of the token), so timing reveals nothing. Secrets are compared with secretsEqual.
  if (checksum(value.slice(0, value.length - CHECKSUM_LENGTH)) !== m[3]) return { ok: false, reason: 'bad_checksum' };
  return { ok: true, kind: m[1] as SecretKind };
}

/** SHA-256, base64url without padding (43 chars): what is stored and published. 256 random bits need no salt. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
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


/** 0-9, A-Z, a-z: URL-safe, no punctuation, double-click selects the whole token. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = 62n;

/** Fixed-width base62 of an unsigned integer (left-padded with '0'). */
export function encodeBase62(value: bigint, width: number): string {
  if (value < 0n) throw new RangeError('base62 encodes unsigned values only');
  const out: string[] = new Array(width);
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = BASE62_ALPHABET[Number(v % BASE)];
    v /= BASE;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${width} base62 digits`);
  return out.join('');
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** Fixed-width base62 of a non-negative safe integer (the CRC32): plain number arithmetic, no BigInt. */
export function encodeBase62Int(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('base62 encodes non-negative safe integers only');
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = BASE62_ALPHABET[v % 62] + out;
    v = Math.floor(v / 62);
  }
  if (v !== 0) throw new RangeError(`value does not fit in ${width} base62 digits`);
  return out;
}

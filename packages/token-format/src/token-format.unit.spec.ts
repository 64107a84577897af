import fc from 'fast-check';
import { SHA256_BASE64URL_PATTERN } from '@latchkey/contracts';
import { BASE62_ALPHABET } from './base62';
import {
  displayPrefix,
  generateSecret,
  hashSecret,
  parseSecret,
  SECRET_KINDS,
  secretsEqual,
  type SecretKind,
} from './token-format';

const kindArb = fc.constantFrom(...SECRET_KINDS);
/** Secrets from fast-check's own bytes, so failures shrink and replay. */
const secretArb = fc
  .tuple(kindArb, fc.uint8Array({ minLength: 32, maxLength: 32 }))
  .map(([kind, bytes]) => generateSecret(kind, () => bytes));

describe('generateSecret / parseSecret', () => {
  it('every generated secret has the documented shape and parses as its kind', () => {
    fc.assert(
      fc.property(kindArb, fc.uint8Array({ minLength: 32, maxLength: 32 }), (kind, bytes) => {
        const secret = generateSecret(kind, () => bytes);
        expect(secret).toMatch(new RegExp(`^lk_${kind}_[0-9A-Za-z]{49}$`));
        expect(parseSecret(secret)).toEqual({ ok: true, kind });
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes the extremes of 32 bytes in 43 characters', () => {
    expect(generateSecret('pat', () => new Uint8Array(32)).slice(7, 50)).toBe('0'.repeat(43));
    const max = generateSecret('pat', () => new Uint8Array(32).fill(255));
    expect(parseSecret(max)).toEqual({ ok: true, kind: 'pat' });
  });

  it('any single changed character fails the check', () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.nat(),
        fc.constantFrom(...BASE62_ALPHABET, '_', '-', 'é'),
        (secret, at, replacement) => {
          const i = at % secret.length;
          fc.pre(secret[i] !== replacement);
          const changed = secret.slice(0, i) + replacement + secret.slice(i + 1);
          expect(parseSecret(changed).ok).toBe(false);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('a change in the random part is caught by the checksum, not only by the shape', () => {
    const secret = generateSecret('at');
    const i = 10;
    const other = secret[i] === 'A' ? 'B' : 'A';
    expect(parseSecret(secret.slice(0, i) + other + secret.slice(i + 1))).toEqual({
      ok: false,
      reason: 'bad_checksum',
    });
  });

  it('no two of 100,000 generated secrets collide', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(generateSecret(SECRET_KINDS[i % 4]));
    expect(seen.size).toBe(100_000);
  });

  it.each([
    ['empty', ''],
    ['not a string', 42],
    ['no prefix', 'x'.repeat(49)],
    ['unknown kind', `lk_xyz_${'a'.repeat(49)}`],
    ['too short', 'lk_pat_abc'],
    ['too long', `lk_pat_${'a'.repeat(50)}`],
    ['8 KB', `lk_pat_${'a'.repeat(8192)}`],
    ['whitespace', ` lk_pat_${'a'.repeat(49)}`],
    ['uppercase prefix', `LK_PAT_${'a'.repeat(49)}`],
  ])('rejects a malformed value (%s)', (_label, value) => {
    expect(parseSecret(value)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses an unknown kind when generating', () => {
    expect(() => generateSecret('xx' as SecretKind)).toThrow(/unknown secret kind/);
  });
});

describe('hashSecret', () => {
  it('is SHA-256 base64url, 43 characters, as the events require', () => {
    fc.assert(
      fc.property(secretArb, (secret) => {
        const h = hashSecret(secret);
        expect(h).toMatch(new RegExp(SHA256_BASE64URL_PATTERN));
        expect(h).toBe(hashSecret(secret));
        expect(h).not.toContain(secret.slice(7, 20));
      }),
    );
  });

  it('matches a known SHA-256', () => {
    // sha256("abc") = ba7816bf…, in base64url:
    expect(hashSecret('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

describe('displayPrefix', () => {
  it('shows the kind and 4 random characters, never the rest', () => {
    const secret = generateSecret('pat');
    expect(displayPrefix(secret)).toBe(secret.slice(0, 11));
    expect(displayPrefix(secret).length).toBeLessThanOrEqual(24);
    expect(displayPrefix('garbage')).toBe('lk_?');
  });
});

describe('secretsEqual', () => {
  it('is true only for equal strings, whatever their lengths', () => {
    expect(secretsEqual('a', 'a')).toBe(true);
    expect(secretsEqual('a', 'b')).toBe(false);
    expect(secretsEqual('a', 'ab')).toBe(false);
  });
});

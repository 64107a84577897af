import fc from 'fast-check';
import { encodeBase62, encodeBase62Int } from './base62';

describe('base62', () => {
  it('number and BigInt encodings agree for every 32-bit value', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), (n) => expect(encodeBase62Int(n, 6)).toBe(encodeBase62(BigInt(n), 6))),
      { numRuns: 5000 },
    );
  });

  it('refuses values that do not fit', () => {
    expect(() => encodeBase62Int(62 ** 2, 2)).toThrow(RangeError);
    expect(() => encodeBase62(62n ** 2n, 2)).toThrow(RangeError);
  });
});

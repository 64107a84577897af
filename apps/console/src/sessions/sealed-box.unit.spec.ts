import { randomBytes } from 'node:crypto';
import { SealedBox } from './sealed-box';

describe('SealedBox', () => {
  const box = new SealedBox(randomBytes(32));
  const row = Buffer.from('row-1');

  it('opens what it sealed, and the sealed bytes do not contain the plaintext', () => {
    const secret = 'lk_oat_0123456789abcdefghijklmnopqrstuv';
    const sealed = box.seal(secret, row);
    expect(sealed.includes(Buffer.from(secret))).toBe(false);
    expect(sealed.includes(Buffer.from(secret.slice(7, 20)))).toBe(false);
    expect(box.open(sealed, row)).toBe(secret);
  });

  it('seals the same text differently each time (a fresh IV)', () => {
    expect(box.seal('same', row).equals(box.seal('same', row))).toBe(false);
  });

  it('does not open under another key, for another row, altered, truncated or of another version', () => {
    const sealed = box.seal('tokens', row);
    expect(new SealedBox(randomBytes(32)).open(sealed, row)).toBeNull();
    expect(box.open(sealed, Buffer.from('row-2'))).toBeNull();
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(box.open(altered, row)).toBeNull();
    expect(box.open(sealed.subarray(0, 20), row)).toBeNull();
    const otherVersion = Buffer.from(sealed);
    otherVersion[0] = 2;
    expect(box.open(otherVersion, row)).toBeNull();
  });

  it('refuses a key that is not 256 bits', () => {
    expect(() => new SealedBox(randomBytes(16))).toThrow('256-bit');
  });
});

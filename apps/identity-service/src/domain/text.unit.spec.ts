import { IdentityError } from './identity-error';
import { requireText } from './text';

const errorOf = (fn: () => unknown): IdentityError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof IdentityError) return err;
    throw err;
  }
  throw new Error('expected an IdentityError');
};

describe('requireText (identity: account names, display names, reasons)', () => {
  it('trims, NFC-normalizes and bounds the text', () => {
    expect(requireText('  Zoe\u0308  ', 'displayName', 3, 'NAME_INVALID')).toBe('Zo\u00eb');
    expect(requireText('山田太郎 👩🏽‍💻', 'displayName', 200, 'NAME_INVALID')).toBe('山田太郎 👩🏽‍💻');
    expect(errorOf(() => requireText('Adam', 'name', 3, 'NAME_INVALID'))).toMatchObject({
      code: 'NAME_INVALID',
      message: 'name must be at most 3 characters',
    });
    expect(errorOf(() => requireText('   ', 'reason', 500, 'REASON_INVALID'))).toMatchObject({
      code: 'REASON_INVALID',
      message: 'reason is required',
    });
  });

  it.each([
    ['a right-to-left override', 'invoice-\u202egnp.exe', 'U+202E'],
    ['a zero-width space', 'Ad\u200ba', 'U+200B'],
    ['a soft hyphen', 'Ada\u00adm', 'U+00AD'],
    ['a BOM inside', 'Ad\ufeffa', 'U+FEFF'],
    ['a Hangul filler', 'Ada \u3164', 'U+3164'],
  ])('refuses %s with the caller’s code', (_case, text, codePoint) => {
    expect(errorOf(() => requireText(text, 'name', 200, 'NAME_INVALID'))).toMatchObject({
      code: 'NAME_INVALID',
      status: 422,
      message: expect.stringContaining(`must not contain invisible or formatting characters (${codePoint}`),
    });
  });

  it('refuses control characters, line breaks included (names and reasons are single-line)', () => {
    for (const c of ['\n', '\t', '\u0000', '\u0085', '\u2028'])
      expect(errorOf(() => requireText(`a${c}b`, 'reason', 500, 'REASON_INVALID'))).toMatchObject({
        code: 'REASON_INVALID',
        message: expect.stringContaining('must not contain control characters'),
      });
  });

  it('refuses private-use, unassigned and unpaired-surrogate code points', () => {
    expect(errorOf(() => requireText('a\ue000', 'name', 200, 'NAME_INVALID')).message).toMatch(/private-use/);
    expect(errorOf(() => requireText('a\u0378', 'name', 200, 'NAME_INVALID')).message).toMatch(/unassigned/);
    expect(errorOf(() => requireText('a\ud800', 'name', 200, 'NAME_INVALID')).message).toMatch(/unpaired/);
  });
});

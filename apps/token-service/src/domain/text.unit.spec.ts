import { TokenError } from './token-error';
import { hasControlCharacter, isBlank, quoteShort, requireText } from './text';

describe('text helpers', () => {
  it('requireText trims and bounds the text', () => {
    expect(requireText('  CI  ', 'name', { maxLength: 2 }, 'NAME_INVALID')).toBe('CI');
    expect(() => requireText('CIs', 'name', { maxLength: 2 }, 'NAME_INVALID')).toThrow(TokenError);
    expect(() => requireText('   ', 'name', { maxLength: 2 }, 'NAME_INVALID')).toThrow(/name is required/);
    expect(() => requireText(42, 'name', { maxLength: 2 }, 'NAME_INVALID')).toThrow(/name is required/);
  });

  it('requireText refuses control characters, line breaks only in multi-line text', () => {
    expect(() => requireText('a\nb', 'name', { maxLength: 10 }, 'NAME_INVALID')).toThrow(/control characters/);
    expect(requireText('a\r\nb\tc', 'description', { maxLength: 10, multiLine: true }, 'DESCRIPTION_INVALID')).toBe(
      'a\r\nb\tc',
    );
    expect(() =>
      requireText('a\u001bb', 'description', { maxLength: 10, multiLine: true }, 'DESCRIPTION_INVALID'),
    ).toThrow(/control/);
  });

  it('hasControlCharacter finds C0, DEL and C1 characters, not other text', () => {
    expect(['\u0000', '\u001f', '\u007f', '\u0085', '\u009f'].map((c) => hasControlCharacter(`a${c}b`))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(hasControlCharacter('plain text \u00e9\u00a0 ~')).toBe(false);
    expect(hasControlCharacter('a\tb\nc\rd', true)).toBe(false);
    expect(hasControlCharacter('a\tb')).toBe(true);
  });

  it('isBlank says whether an optional text was left out', () => {
    expect([undefined, null, '', '  \n'].map(isBlank)).toEqual([true, true, true, true]);
    expect(isBlank(' x ')).toBe(false);
  });

  it('quoteShort keeps at most the first 100 characters, JSON-quoted', () => {
    expect(quoteShort('abc')).toBe('"abc"');
    expect(quoteShort('x'.repeat(150))).toBe(JSON.stringify(`${'x'.repeat(100)}…`));
    expect(quoteShort('a\u0000b')).toBe('"a\\u0000b"');
  });

  it('requireText is the shared validator: NFC, and no invisible, formatting, private-use or unassigned characters', () => {
    expect(requireText('Zoe\u0308', 'name', { maxLength: 10 }, 'NAME_INVALID')).toBe('Zo\u00eb');
    expect(requireText('deploy 👩🏽‍💻', 'name', { maxLength: 20 }, 'NAME_INVALID')).toBe('deploy 👩🏽‍💻');
    for (const text of ['exe\u202egnp.exe', 'a\u200bb', 'a\u2066b', 'a\u00adb', 'a\ue000b', 'a\u0378b', 'a\ud800b']) {
      expect(() => requireText(text, 'name', { maxLength: 20 }, 'NAME_INVALID')).toThrow(TokenError);
      expect(() => requireText(text, 'description', { maxLength: 20, multiLine: true }, 'DESCRIPTION_INVALID')).toThrow(
        /must not contain/,
      );
    }
  });
});

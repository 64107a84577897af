import { checkText, hasControlCharacter, isBlank, quoteShort, requireText, type TextProblem } from './text';

const NAME = { maxLength: 200 };
const DESCRIPTION = { maxLength: 2000, multiLine: true };
const cp = (n: number) => String.fromCodePoint(n);

describe('checkText', () => {
  it.each<[string, string, string]>([
    ['plain ASCII', 'Payments team', 'Payments team'],
    ['surrounding white space trimmed', '  Ada Lovelace \u3000', 'Ada Lovelace'],
    ['inner spaces of every kind kept', 'a\u00a0b\u2009c\u3000d', 'a\u00a0b\u2009c\u3000d'],
    ['accents (precomposed)', 'Zoë Ångström-Łukasiewicz', 'Zoë Ångström-Łukasiewicz'],
    ['accents (decomposed) are NFC-normalized', 'Zoe\u0308', 'Zo\u00eb'],
    ['CJK', '山田太郎', '山田太郎'],
    ['Hangul', '김민준', '김민준'],
    ['Arabic', 'فاطمة الزهراء', 'فاطمة الزهراء'],
    ['Hebrew', 'דוד כהן', 'דוד כהן'],
    ['Devanagari with virama', 'क्षत्रिय', 'क्षत्रिय'],
    ['Thai', 'สมชาย', 'สมชาย'],
    ['emoji', 'Build bot 🤖🚀', 'Build bot 🤖🚀'],
    ['emoji with skin-tone modifier', '👍🏽', '👍🏽'],
    ['emoji with presentation selector', '❤️ ☺︎', '❤\ufe0f \u263a\ufe0e'],
    ['keycap sequence', '1️⃣', '1\ufe0f\u20e3'],
    ['ZWJ family', '👨‍👩‍👧‍👦', '👨\u200d👩\u200d👧\u200d👦'],
    ['ZWJ after a modifier', 'dev 👩🏽‍💻', 'dev 👩🏽\u200d💻'],
    ['ZWJ after VS16 (rainbow flag)', '🏳️‍🌈', '🏳\ufe0f\u200d🌈'],
    ['regional-indicator flag', '🇫🇷', '🇫🇷'],
    ['ideographic variation sequence', '葛\u{e0100}', '葛\u{e0100}'],
    ['combining marks', 'n\u0303o\u0301', '\u00f1\u00f3'],
    ['symbols and punctuation', '© ® ™ – — “quoted” … €5', '© ® ™ – — “quoted” … €5'],
    ['the replacement character', 'bad \ufffd byte', 'bad \ufffd byte'],
  ])('accepts %s', (_case, input, stored) => {
    expect(checkText(input, NAME)).toEqual({ ok: true, text: stored });
  });

  it('accepts tab, line feed and carriage return in multi-line text only', () => {
    expect(checkText('line one\r\nline two\tend', DESCRIPTION)).toEqual({
      ok: true,
      text: 'line one\r\nline two\tend',
    });
    for (const c of ['\t', '\n', '\r'])
      expect(checkText(`a${c}b`, NAME)).toMatchObject({ ok: false, problem: 'control_character' });
  });

  it.each<[string, number, TextProblem]>([
    // C0, DEL and C1 controls
    ['NUL', 0x0000, 'control_character'],
    ['ESC', 0x001b, 'control_character'],
    ['unit separator', 0x001f, 'control_character'],
    ['DEL', 0x007f, 'control_character'],
    ['NEL (C1)', 0x0085, 'control_character'],
    ['APC (C1)', 0x009f, 'control_character'],
    // line and paragraph separators are line breaks, not LF/CR
    ['LINE SEPARATOR', 0x2028, 'control_character'],
    ['PARAGRAPH SEPARATOR', 0x2029, 'control_character'],
    // bidi embeddings, overrides, isolates and marks
    ['LRE', 0x202a, 'invisible_character'],
    ['RLE', 0x202b, 'invisible_character'],
    ['PDF', 0x202c, 'invisible_character'],
    ['LRO', 0x202d, 'invisible_character'],
    ['RLO', 0x202e, 'invisible_character'],
    ['LRI', 0x2066, 'invisible_character'],
    ['RLI', 0x2067, 'invisible_character'],
    ['FSI', 0x2068, 'invisible_character'],
    ['PDI', 0x2069, 'invisible_character'],
    ['LRM', 0x200e, 'invisible_character'],
    ['RLM', 0x200f, 'invisible_character'],
    ['ARABIC LETTER MARK', 0x061c, 'invisible_character'],
    // zero-width characters
    ['ZERO WIDTH SPACE', 0x200b, 'invisible_character'],
    ['ZERO WIDTH NON-JOINER', 0x200c, 'invisible_character'],
    ['ZERO WIDTH JOINER between letters', 0x200d, 'invisible_character'],
    ['WORD JOINER', 0x2060, 'invisible_character'],
    ['FUNCTION APPLICATION', 0x2061, 'invisible_character'],
    ['INVISIBLE TIMES', 0x2062, 'invisible_character'],
    ['INVISIBLE SEPARATOR', 0x2063, 'invisible_character'],
    ['INVISIBLE PLUS', 0x2064, 'invisible_character'],
    ['inhibit symmetric swapping (deprecated format)', 0x206a, 'invisible_character'],
    ['ZERO WIDTH NO-BREAK SPACE (BOM)', 0xfeff, 'invisible_character'],
    ['SOFT HYPHEN', 0x00ad, 'invisible_character'],
    ['MONGOLIAN VOWEL SEPARATOR', 0x180e, 'invisible_character'],
    ['interlinear annotation anchor', 0xfff9, 'invisible_character'],
    ['musical symbol begin beam', 0x1d173, 'invisible_character'],
    ['LANGUAGE TAG', 0xe0001, 'invisible_character'],
    ['TAG LATIN SMALL LETTER A', 0xe0061, 'invisible_character'],
    ['CANCEL TAG', 0xe007f, 'invisible_character'],
    // other default-ignorable code points that render as nothing
    ['COMBINING GRAPHEME JOINER', 0x034f, 'invisible_character'],
    ['HANGUL CHOSEONG FILLER', 0x115f, 'invisible_character'],
    ['HANGUL JUNGSEONG FILLER', 0x1160, 'invisible_character'],
    ['HANGUL FILLER', 0x3164, 'invisible_character'],
    ['HALFWIDTH HANGUL FILLER', 0xffa0, 'invisible_character'],
    ['KHMER VOWEL INHERENT AQ', 0x17b4, 'invisible_character'],
    ['SHORTHAND FORMAT LETTER OVERLAP', 0x1bca0, 'invisible_character'],
    // private use
    ['private use (BMP)', 0xe000, 'private_use'],
    ['private use (plane 15)', 0xf0000, 'private_use'],
    ['private use (plane 16)', 0x10fffd, 'private_use'],
    // unassigned and noncharacters
    ['unassigned U+0378', 0x0378, 'unassigned'],
    ['reserved default-ignorable U+2065', 0x2065, 'unassigned'],
    ['noncharacter U+FDD0', 0xfdd0, 'unassigned'],
    ['noncharacter U+FFFE', 0xfffe, 'unassigned'],
    ['noncharacter U+10FFFF', 0x10ffff, 'unassigned'],
    ['unassigned plane 3 code point', 0x3ffff, 'unassigned'],
    // unpaired surrogates
    ['lone high surrogate', 0xd800, 'unpaired_surrogate'],
    ['lone low surrogate', 0xdfff, 'unpaired_surrogate'],
  ])('refuses %s inside a name and a description', (_case, codePoint, problem) => {
    const c = cp(codePoint);
    for (const rules of [NAME, DESCRIPTION]) {
      expect(checkText(`ab${c}cd`, rules)).toMatchObject({ ok: false, problem, codePoint, position: 3 });
      // At the ends, what JavaScript's trim() counts as white space (U+2028/2029, U+FEFF) is trimmed away.
      if (c.trim() === '') expect(checkText(`${c}abc`, rules)).toEqual({ ok: true, text: 'abc' });
      else expect(checkText(`${c}abc`, rules)).toMatchObject({ ok: false, problem, position: 1 });
    }
  });

  it('refuses the "exe.png" that shows as "gnp.exe"', () => {
    const spoofed = 'invoice-\u202egnp.exe';
    expect(checkText(spoofed, NAME)).toMatchObject({
      ok: false,
      problem: 'invisible_character',
      reason: 'must not contain invisible or formatting characters (U+202E at character 9)',
    });
  });

  it.each([
    ['ZWJ between two letters', 'a\u200db'],
    ['ZWJ at the end of an emoji', 'ok 👍\u200d'],
    ['ZWJ before a letter', '👍\u200da'],
    ['doubled ZWJ', '👨\u200d\u200d👩'],
    ['ZWJ after a letter with VS16', 'a\ufe0f\u200d💻'],
    ['an emoji tag sequence (flag of Scotland)', '\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}'],
    ['a variation selector without a base', '\ufe0fabc'],
    ['a run of variation selectors (smuggled bytes)', '😀\u{e0100}\u{e0101}\u{e0102}'],
    ['a variation selector after a space', 'a \ufe0fb'],
  ])('refuses %s', (_case, input) => {
    expect(checkText(input, NAME)).toMatchObject({ ok: false, problem: 'invisible_character' });
  });

  it('a trailing BOM or ideographic space is trimmed like any white space', () => {
    expect(checkText('\ufeffAda\u3000', NAME)).toEqual({ ok: true, text: 'Ada' });
  });

  it('is required: non-strings, empty and white-space-only text', () => {
    for (const value of [undefined, null, 42, {}, '', '   ', '\n\t', '\u3000'])
      expect(checkText(value, NAME)).toEqual({ ok: false, problem: 'required', reason: 'is required' });
  });

  it('counts characters as code points after normalization, like JSON Schema maxLength', () => {
    expect(checkText('😀😀😀', { maxLength: 3 })).toEqual({ ok: true, text: '😀😀😀' });
    expect(checkText('😀😀😀😀', { maxLength: 3 })).toMatchObject({
      ok: false,
      problem: 'too_long',
      reason: 'must be at most 3 characters',
    });
    expect(checkText('e\u0301e\u0301e\u0301', { maxLength: 3 })).toEqual({ ok: true, text: '\u00e9\u00e9\u00e9' });
    expect(checkText(`  ${'x'.repeat(3)}  `, { maxLength: 3 })).toEqual({ ok: true, text: 'xxx' });
  });
});

describe('requireText', () => {
  it('returns the stored form, or throws what the domain makes of the message', () => {
    const toError = (message: string) => new RangeError(message);
    expect(requireText('  Zoe\u0308 ', 'displayName', NAME, toError)).toBe('Zo\u00eb');
    expect(() => requireText('', 'displayName', NAME, toError)).toThrow(new RangeError('displayName is required'));
    expect(() => requireText('Adam', 'name', { maxLength: 3 }, toError)).toThrow('name must be at most 3 characters');
    expect(() => requireText('a\u202eb', 'reason', NAME, toError)).toThrow(
      'reason must not contain invisible or formatting characters (U+202E at character 2)',
    );
    const seen: unknown[] = [];
    expect(() =>
      requireText('a\ud800', 'name', NAME, (message, check) => {
        seen.push(check);
        return new Error(message);
      }),
    ).toThrow('name must not contain unpaired surrogates (U+D800 at character 2)');
    expect(seen).toEqual([expect.objectContaining({ problem: 'unpaired_surrogate', codePoint: 0xd800, position: 2 })]);
  });
});

describe('hasControlCharacter', () => {
  it('finds C0, DEL and C1 characters, line breaks only when not allowed', () => {
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
});

describe('isBlank', () => {
  it('says whether an optional text was left out', () => {
    expect([undefined, null, '', '  \n'].map(isBlank)).toEqual([true, true, true, true]);
    expect(isBlank(' x ')).toBe(false);
  });
});

describe('quoteShort', () => {
  it('keeps at most the first 100 characters, JSON-quoted', () => {
    expect(quoteShort('abc')).toBe('"abc"');
    expect(quoteShort('x'.repeat(150))).toBe(JSON.stringify(`${'x'.repeat(100)}…`));
    expect(quoteShort('abcdef', 3)).toBe('"abc…"');
  });

  it('never cuts a character in half', () => {
    expect(quoteShort('😀😀😀', 2)).toBe('"😀😀…"');
  });

  it('escapes controls, invisible, formatting, private-use and unassigned characters', () => {
    expect(quoteShort('a\u0000b')).toBe('"a\\u0000b"');
    expect(quoteShort('invoice-\u202egnp.exe')).toBe('"invoice-\\u202egnp.exe"');
    expect(quoteShort('a\u200bb\u2028c\ue000d\u0378')).toBe('"a\\u200bb\\u2028c\\ue000d\\u0378"');
    expect(quoteShort('x\u{e0061}')).toBe('"x\\udb40\\udc61"');
    expect(quoteShort('a\ud800')).toBe('"a\\ud800"');
    expect(quoteShort('Zoë 山田 😀')).toBe('"Zoë 山田 😀"');
  });
});

/**
 * The one free-text validator of every Latchkey domain (names, display names, descriptions,
 * reasons). Each domain wraps a refusal in its own error code (`NAME_INVALID`, …); the rules are
 * the same everywhere:
 *
 * - the text is NFC-normalized, then trimmed; it must hold 1..maxLength characters (Unicode code
 *   points, as JSON Schema's `maxLength` counts them, so an accepted text always fits the
 *   contracts' `Text`);
 * - no control character (C0, DEL, C1); multi-line text may hold tab, line feed and carriage
 *   return, nothing else (U+2028/U+2029 line and paragraph separators are refused everywhere);
 * - no invisible or formatting character: every `\p{Cf}` (bidi embeddings, overrides and isolates
 *   U+202A–202E and U+2066–2069, marks U+200E/200F/061C, zero-width U+200B–200D, U+2060–2064,
 *   U+FEFF, the soft hyphen U+00AD, tags U+E0000–E007F, …) and every other default-ignorable
 *   code point (Hangul fillers U+115F/U+1160/U+3164/U+FFA0, the combining grapheme joiner U+034F,
 *   …) — an administrator must see the text that is stored, and "exe.png" must not show as
 *   "gnp.exe";
 * - no private-use, unassigned (noncharacters included) or unpaired-surrogate code point.
 *
 * Two invisible characters are allowed where they only shape what is visible:
 * - U+200D ZERO WIDTH JOINER inside an emoji ZWJ sequence only: right after an emoji
 *   (`Extended_Pictographic`, optionally followed by one emoji modifier or U+FE0F) and right
 *   before another emoji — so "👩🏽‍💻" and "🏳️‍🌈" are accepted, a ZWJ between letters or
 *   doubled is not. (Emoji tag sequences — U+1F3F4 and tag characters, the flags of England, Scotland
 *   and Wales — are refused: tag characters can carry hidden text.)
 * - one variation selector (U+FE00–FE0F, U+E0100–E01EF, the Mongolian FVS) directly after a
 *   visible character: emoji/text presentation, standardized and ideographic variants. A run of
 *   selectors, or one with no base, is refused (runs can smuggle arbitrary bytes).
 * U+200C ZERO WIDTH NON-JOINER is refused as every other `\p{Cf}`, even though some Persian and
 * Indic spellings use it: such names are stored without it.
 *
 * Which code points are assigned is the Unicode version of the running Node.js (ICU): a
 * character newer than it is refused as unassigned until Node knows it.
 */

export interface TextRules {
  /** The most characters (code points) the text may hold after trimming and normalization. */
  maxLength: number;
  /** Whether tab, line feed and carriage return may appear (descriptions); other control characters never may. */
  multiLine?: boolean;
}

/** Why a text was refused. */
export type TextProblem =
  | 'required'
  | 'too_long'
  | 'control_character'
  | 'invisible_character'
  | 'private_use'
  | 'unassigned'
  | 'unpaired_surrogate';

export type TextCheck =
  | { ok: true; text: string }
  | {
      ok: false;
      problem: TextProblem;
      /** The sentence after the field's name: `${field} ${reason}` is the message for the caller. */
      reason: string;
      /** The refused code point and its 1-based position (in code points), for character problems. */
      codePoint?: number;
      position?: number;
    };

const TAB_LF_CR = new Set([0x09, 0x0a, 0x0d]);
const ZWJ = 0x200d;
const VS16 = 0xfe0f;

const CONTROL = /^\p{Cc}$/u;
const LINE_OR_PARAGRAPH_SEPARATOR = /^[\p{Zl}\p{Zp}]$/u;
const PRIVATE_USE = /^\p{Co}$/u;
const UNASSIGNED = /^\p{Cn}$/u;
const INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;
const VARIATION_SELECTOR = /^\p{Variation_Selector}$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;
const EMOJI_MODIFIER = /^\p{Emoji_Modifier}$/u;
const WHITE_SPACE = /^\s$/u;

const is = (pattern: RegExp, cp: number | undefined): boolean =>
  cp !== undefined && pattern.test(String.fromCodePoint(cp));
const isSurrogate = (cp: number): boolean => cp >= 0xd800 && cp <= 0xdfff;

/** `U+202E`: the usual spelling of a code point. */
export function codePointLabel(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A ZWJ at `i` is allowed between an emoji (+ one modifier or VS16) and the next emoji. */
function joinsEmoji(cps: readonly number[], i: number): boolean {
  if (!is(EMOJI, cps[i + 1])) return false;
  const before = cps[i - 1];
  if (is(EMOJI, before)) return true;
  return (before === VS16 || is(EMOJI_MODIFIER, before)) && is(EMOJI, cps[i - 2]);
}

/** A variation selector at `i` is allowed directly after a visible character (not after another selector). */
function selectsVariant(cps: readonly number[], i: number): boolean {
  const base = cps[i - 1];
  if (base === undefined || isSurrogate(base)) return false;
  return !(
    is(VARIATION_SELECTOR, base) ||
    is(INVISIBLE, base) ||
    is(CONTROL, base) ||
    is(WHITE_SPACE, base) ||
    is(LINE_OR_PARAGRAPH_SEPARATOR, base)
  );
}

type CharacterProblem = Exclude<TextProblem, 'required' | 'too_long'>;

function characterProblem(cps: readonly number[], i: number, multiLine: boolean): CharacterProblem | null {
  const cp = cps[i]!;
  if (isSurrogate(cp)) return 'unpaired_surrogate';
  if (is(CONTROL, cp)) return multiLine && TAB_LF_CR.has(cp) ? null : 'control_character';
  if (is(LINE_OR_PARAGRAPH_SEPARATOR, cp)) return 'control_character';
  if (is(PRIVATE_USE, cp)) return 'private_use';
  if (is(VARIATION_SELECTOR, cp)) return selectsVariant(cps, i) ? null : 'invisible_character';
  if (cp === ZWJ) return joinsEmoji(cps, i) ? null : 'invisible_character';
  // Unassigned before invisible: U+2065 and the reserved tags are both, and "unassigned" is the truer word.
  if (is(UNASSIGNED, cp)) return 'unassigned';
  if (is(INVISIBLE, cp)) return 'invisible_character';
  return null;
}

const CHARACTER_REASON: Record<CharacterProblem, string> = {
  control_character: 'must not contain control characters',
  invisible_character: 'must not contain invisible or formatting characters',
  private_use: 'must not contain private-use characters',
  unassigned: 'must not contain unassigned code points',
  unpaired_surrogate: 'must not contain unpaired surrogates',
};

/** Checks free text against {@link TextRules}; never throws. The text of an `ok` answer is the one to store. */
export function checkText(value: unknown, rules: TextRules): TextCheck {
  const text = typeof value === 'string' ? value.normalize('NFC').trim() : '';
  if (text.length === 0) return { ok: false, problem: 'required', reason: 'is required' };
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  if (cps.length > rules.maxLength)
    return { ok: false, problem: 'too_long', reason: `must be at most ${rules.maxLength} characters` };
  const multiLine = rules.multiLine === true;
  for (let i = 0; i < cps.length; i++) {
    const problem = characterProblem(cps, i, multiLine);
    if (problem === null) continue;
    const cp = cps[i]!;
    return {
      ok: false,
      problem,
      reason: `${CHARACTER_REASON[problem]} (${codePointLabel(cp)} at character ${i + 1})`,
      codePoint: cp,
      position: i + 1,
    };
  }
  return { ok: true, text };
}

/**
 * The checked text, or the error `toError` makes of the message `${field} ${reason}` — each
 * domain passes its own (`(message) => new IdentityError('NAME_INVALID', message)`).
 */
export function requireText(
  value: unknown,
  field: string,
  rules: TextRules,
  toError: (message: string, check: Extract<TextCheck, { ok: false }>) => Error,
): string {
  const checked = checkText(value, rules);
  if (!checked.ok) throw toError(`${field} ${checked.reason}`, checked);
  return checked.text;
}

/**
 * Whether the text holds a C0 or C1 control character (U+0000..U+001F, U+007F..U+009F); with
 * `allowLineBreaks`, tab, line feed and carriage return do not count. (For values that are not
 * free text, such as URIs; free text goes through {@link checkText}.)
 */
export function hasControlCharacter(text: string, allowLineBreaks = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x9f || (code > 0x1f && code < 0x7f)) continue;
    if (allowLineBreaks && TAB_LF_CR.has(code)) continue;
    return true;
  }
  return false;
}

/** Whether an optional text field was left out: absent, null or only white space. */
export function isBlank(value: string | null | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

// JSON.stringify escapes controls and unpaired surrogates; these would still render invisibly or
// reorder the message around them.
const UNSAFE_IN_MESSAGE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu;

const escapeUnit = (unit: number): string => `\\u${unit.toString(16).padStart(4, '0')}`;

/**
 * A value for an error message: at most `max` characters (code points), JSON-quoted, with control,
 * invisible, formatting, private-use and unassigned characters escaped (`\u202e`), so an echoed
 * value can never hide or reorder text in the message.
 */
export function quoteShort(value: string, max = 100): string {
  const cps = Array.from(value);
  const short = cps.length > max ? `${cps.slice(0, max).join('')}…` : value;
  return JSON.stringify(short).replace(UNSAFE_IN_MESSAGE, (c) => {
    let escaped = '';
    for (let i = 0; i < c.length; i++) escaped += escapeUnit(c.charCodeAt(i));
    return escaped;
  });
}

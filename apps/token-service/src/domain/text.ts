import { TokenError, type TokenErrorCode } from './token-error';

/** Tab, line feed and carriage return: the only control characters multi-line text may hold. */
const LINE_BREAKS_AND_TAB = new Set([0x09, 0x0a, 0x0d]);

/**
 * Whether the text holds a C0 or C1 control character (U+0000..U+001F, U+007F..U+009F); with
 * `allowLineBreaks`, tab, line feed and carriage return do not count.
 */
export function hasControlCharacter(text: string, allowLineBreaks = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x9f || (code > 0x1f && code < 0x7f)) continue;
    if (allowLineBreaks && LINE_BREAKS_AND_TAB.has(code)) continue;
    return true;
  }
  return false;
}

export interface TextRules {
  maxLength: number;
  /** Whether tab, line feed and carriage return may appear (descriptions). */
  multiLine?: boolean;
}

/**
 * Trims free text and checks it is 1..maxLength characters without control characters, so a
 * decider never emits text the contracts (`Text`) or a list page would choke on.
 */
export function requireText(value: unknown, field: string, rules: TextRules, code: TokenErrorCode): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) throw new TokenError(code, `${field} is required`);
  if (text.length > rules.maxLength)
    throw new TokenError(code, `${field} must be at most ${rules.maxLength} characters`);
  if (hasControlCharacter(text, rules.multiLine === true))
    throw new TokenError(code, `${field} must not contain control characters`);
  return text;
}

/** Whether an optional text field was left out: absent, null or only white space. */
export function isBlank(value: string | null | undefined): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A value for an error message: at most `max` characters, JSON-quoted (control characters escaped). */
export function quoteShort(value: string, max = 100): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

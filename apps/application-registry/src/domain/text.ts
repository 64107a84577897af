import { RegistryError, type RegistryErrorCode } from './registry-error';

const LINE_BREAKS_AND_TAB = new Set([0x09, 0x0a, 0x0d]);

/**
 * Whether the text holds a C0 or C1 control character (U+0000..U+001F, U+007F..U+009F); with
 * `allowLineBreaks`, tab, line feed and carriage return are allowed.
 */
export function hasControlCharacter(text: string, allowLineBreaks = false): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const control = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
    if (control && !(allowLineBreaks && LINE_BREAKS_AND_TAB.has(code))) return true;
  }
  return false;
}

export interface TextRules {
  maxLength: number;
  /** Whether tab, line feed and carriage return may appear (descriptions); other control characters never may. */
  multiLine?: boolean;
}

/**
 * Trims free text and checks it fits the event schema (`Text`: 1..maxLength characters) without
 * control characters, so a decider never emits an event the contracts would reject.
 */
export function requireText(value: unknown, field: string, rules: TextRules, code: RegistryErrorCode): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) throw new RegistryError(code, `${field} is required`);
  if (text.length > rules.maxLength)
    throw new RegistryError(code, `${field} must be at most ${rules.maxLength} characters`);
  if (hasControlCharacter(text, rules.multiLine === true)) {
    throw new RegistryError(code, `${field} must not contain control characters`);
  }
  return text;
}

/** The first `max` characters of a value for an error message, JSON-quoted (control characters escaped). */
export function quoteShort(value: string, max = 100): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

import { RegistryError, type RegistryErrorCode } from './registry-error';

/** C0 and C1 control characters (tab, line feeds and all). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Control characters other than tab, line feed and carriage return (allowed in multi-line text). */
const CONTROL_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

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
  if (text.length > rules.maxLength) throw new RegistryError(code, `${field} must be at most ${rules.maxLength} characters`);
  if ((rules.multiLine === true ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(text)) {
    throw new RegistryError(code, `${field} must not contain control characters`);
  }
  return text;
}

/** The first `max` characters of a value for an error message, JSON-quoted (control characters escaped). */
export function quoteShort(value: string, max = 100): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

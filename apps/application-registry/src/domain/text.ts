import { hasControlCharacter, quoteShort, requireText as requireValidText, type TextRules } from '@latchkey/domain';
import { RegistryError, type RegistryErrorCode } from './registry-error';

// The one text validator of every domain (@latchkey/domain), with the registry's error codes.
export { hasControlCharacter, quoteShort, type TextRules };

/**
 * Trims and NFC-normalizes free text and checks it is 1..maxLength characters without control,
 * invisible or formatting characters, so a decider never emits an event the contracts (`Text`)
 * would reject or a name that shows differently from what is stored.
 */
export function requireText(value: unknown, field: string, rules: TextRules, code: RegistryErrorCode): string {
  return requireValidText(value, field, rules, (message) => new RegistryError(code, message));
}

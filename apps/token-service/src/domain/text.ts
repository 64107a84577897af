import {
  hasControlCharacter,
  isBlank,
  quoteShort,
  requireText as requireValidText,
  type TextRules,
} from '@latchkey/domain';
import { TokenError, type TokenErrorCode } from './token-error';

// The one text validator of every domain (@latchkey/domain), with token-service's error codes.
export { hasControlCharacter, isBlank, quoteShort, type TextRules };

/**
 * Trims and NFC-normalizes free text and checks it is 1..maxLength characters without control,
 * invisible or formatting characters, so a decider never emits text the contracts (`Text`) or a
 * list page would choke on, or a name that shows differently from what is stored.
 */
export function requireText(value: unknown, field: string, rules: TextRules, code: TokenErrorCode): string {
  return requireValidText(value, field, rules, (message) => new TokenError(code, message));
}

import { requireText as requireValidText } from '@latchkey/domain';
import { IdentityError, type IdentityErrorCode } from './identity-error';

/**
 * Trims and NFC-normalizes free text and checks it is 1..maxLength characters without control,
 * invisible or formatting characters (@latchkey/domain's one text validator), so a decider never
 * emits an event the contracts would reject or a name that shows differently from what is stored.
 */
export function requireText(value: unknown, field: string, maxLength: number, code: IdentityErrorCode): string {
  return requireValidText(value, field, { maxLength }, (message) => new IdentityError(code, message));
}

import { IdentityError, type IdentityErrorCode } from './identity-error';

/**
 * Trims free text and checks it fits the event schema (`Text`: 1..maxLength characters), so a
 * decider never emits an event the contracts would reject.
 */
export function requireText(value: unknown, field: string, maxLength: number, code: IdentityErrorCode): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) throw new IdentityError(code, `${field} is required`);
  if (text.length > maxLength) throw new IdentityError(code, `${field} must be at most ${maxLength} characters`);
  return text;
}

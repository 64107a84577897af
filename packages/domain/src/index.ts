export { DomainError, isDomainError, type DomainErrorOptions } from './domain-error';
export {
  checkText,
  codePointLabel,
  hasControlCharacter,
  isBlank,
  quoteShort,
  requireText,
  type TextCheck,
  type TextProblem,
  type TextRules,
} from './text';
export { LOOPBACK_HOSTS, redirectUriMatches } from './redirect-uri-match';
export { DIRECTORY_ACCOUNT_ID, stableId } from './stable-id';

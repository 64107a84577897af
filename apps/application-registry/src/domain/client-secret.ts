import { hashSecret, secretsEqual } from '@latchkey/token-format';
import type { ApplicationState } from './application.decider';

/**
 * Client authentication against the state folded from the application's events (the registry
 * never stores a secret; token-service folds the same events). True iff the application exists,
 * is enabled, is confidential, and the secret's hash equals the current hash, or the previous
 * hash while `now` is before its end of validity. Both hashes are always compared, in constant
 * time, so the answer's timing says nothing about which one matched.
 */
export function clientSecretMatches(state: ApplicationState, secret: string, now: Date): boolean {
  if (state.status !== 'enabled' || state.clientType !== 'confidential' || state.secret === null) return false;
  if (typeof secret !== 'string' || secret.length === 0) return false;
  const hash = hashSecret(secret);
  const { currentHash, previousHash, previousValidUntil } = state.secret;
  const current = secretsEqual(hash, currentHash);
  const previous = previousHash !== null && secretsEqual(hash, previousHash);
  const previousValid = previousValidUntil !== null && now.getTime() < Date.parse(previousValidUntil);
  return current || (previous && previousValid);
}

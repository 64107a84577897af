import { hashSecret, secretsEqual } from './token-format';

/**
 * The hashes a client secret is checked against: the current one, and during a rotation's
 * overlap the previous one until `previousValidUntil` (ISO date-time; null = refused at once).
 */
export interface SecretHashes {
  currentHash: string;
  previousHash: string | null;
  previousValidUntil: string | null;
}

/**
 * Whether `secret` is the current secret, or the previous one while its overlap lasts. Both
 * comparisons always run (constant time over digests), so the answer's timing does not tell
 * which one matched. The one rule for every place that checks a client secret.
 */
export function secretMatchesHashes(secret: unknown, hashes: SecretHashes, now: Date): boolean {
  if (typeof secret !== 'string' || secret.length === 0) return false;
  const hash = hashSecret(secret);
  const current = secretsEqual(hash, hashes.currentHash);
  const previous = hashes.previousHash !== null && secretsEqual(hash, hashes.previousHash);
  const previousValid = hashes.previousValidUntil !== null && now.getTime() < Date.parse(hashes.previousValidUntil);
  return current || (previous && previousValid);
}

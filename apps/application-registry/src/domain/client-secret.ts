import { secretMatchesHashes } from '@latchkey/token-format';
import type { ApplicationState } from './application.decider';

/**
 * Client authentication against the state folded from the application's events (the registry
 * never stores a secret; token-service checks the same hashes from its read model). True iff the
 * application exists, is enabled, is confidential, and the secret matches its hashes by the one
 * rule (`secretMatchesHashes`: the current hash, or the previous one while its overlap lasts).
 */
export function clientSecretMatches(state: ApplicationState, secret: string, now: Date): boolean {
  if (state.status !== 'enabled' || state.clientType !== 'confidential' || state.secret === null) return false;
  return secretMatchesHashes(secret, state.secret, now);
}

import { SCOPE_ACTIONS, isScope } from '@latchkey/contracts';
import { covers } from '@latchkey/token-verifier';
import { TokenError } from './token-error';
import { quoteShort } from './text';

/**
 * `resource:*` becomes its four actions (see docs/architecture.md: wildcards are expanded on issue); the result
 * is sorted and without duplicates. Other strings pass through unchanged: check them with
 * {@link requireScopes} first.
 */
export function expandScopes(scopes: readonly string[]): string[] {
  const out = new Set<string>();
  for (const scope of scopes) {
    if (scope.endsWith(':*')) {
      const resource = scope.slice(0, -2);
      for (const action of SCOPE_ACTIONS) out.add(`${resource}:${action}`);
    } else {
      out.add(scope);
    }
  }
  return [...out].sort();
}

/** Whether one of the held scopes (or permissions) covers `scope`; a held `resource:*` covers every action. */
export function coveredBy(scope: string, held: readonly string[]): boolean {
  return held.some((h) => covers(h, scope));
}

/**
 * Checks a list of scopes against the grammar (SCOPE_INVALID) and returns it expanded, sorted
 * and unique. An empty list is allowed here; callers that need a scope say so.
 */
export function requireScopes(value: unknown, field = 'scopes'): string[] {
  if (!Array.isArray(value)) throw new TokenError('SCOPE_INVALID', `${field} must be a list of scopes`);
  for (const scope of value) {
    if (!isScope(scope)) {
      throw new TokenError(
        'SCOPE_INVALID',
        `${quoteShort(String(scope))} is not a scope (<resource>:<action>, action create, read, update, delete or *)`,
      );
    }
  }
  return expandScopes(value as string[]);
}

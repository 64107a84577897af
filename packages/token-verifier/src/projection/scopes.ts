/** `a` covers `b` when equal, or `a` is `resource:*` and `b` is an action on that resource. */
export function covers(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.endsWith(':*')) return false;
  return b.startsWith(a.slice(0, -1));
}

export const NO_SCOPES: readonly string[] = Object.freeze([]);

/**
 * Token scopes ∩ the user's permissions: a token never gains more access than its user has,
 * and loses access the moment the user does. A wildcard on one side keeps the other side's
 * narrower scope. Sorted, without duplicates.
 */
export function intersectScopes(tokenScopes: readonly string[], permissions: Iterable<string>): string[] {
  const perms = [...permissions];
  const out = new Set<string>();
  for (const t of tokenScopes) {
    for (const p of perms) {
      if (covers(p, t)) out.add(t);
      else if (covers(t, p)) out.add(p);
    }
  }
  return [...out].sort();
}

// Memo of intersectScopes by the identity of two frozen lists. The projection interns its scope
// and permission lists, so thousands of tokens share a handful of pairs, and a MembershipChanged
// brings a new permissions list: the old pair is simply never asked again and the WeakMap lets
// it go. Only frozen lists are memoized, so a cached answer can never go stale.
const memo = new WeakMap<readonly string[], WeakMap<readonly string[], readonly string[]>>();

/** intersectScopes for frozen, interned lists; the answer is frozen and shared. */
export function intersectFrozen(tokenScopes: readonly string[], permissions: readonly string[]): readonly string[] {
  if (!Object.isFrozen(tokenScopes) || !Object.isFrozen(permissions)) return intersectScopes(tokenScopes, permissions);
  let byPermissions = memo.get(tokenScopes);
  if (byPermissions === undefined) memo.set(tokenScopes, (byPermissions = new WeakMap()));
  let answer = byPermissions.get(permissions);
  if (answer === undefined)
    byPermissions.set(permissions, (answer = Object.freeze(intersectScopes(tokenScopes, permissions))));
  return answer;
}

/** The required scopes that `granted` does not cover. */
export function missingScopes(required: readonly string[], granted: readonly string[]): readonly string[] {
  if (required.length === 0) return NO_SCOPES;
  const missing = required.filter((r) => !granted.some((g) => covers(g, r)));
  return missing.length === 0 ? NO_SCOPES : missing;
}

/** `a` covers `b` when equal, or `a` is `resource:*` and `b` is an action on that resource. */
export function covers(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.endsWith(':*')) return false;
  return b.startsWith(a.slice(0, -1));
}

/**
 * Token scopes ∩ the user's permissions: a token never gains more access than its user has,
 * and loses access the moment the user does. A wildcard on one side keeps the other side's
 * narrower scope.
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

/** The required scopes that `granted` does not cover. */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  return required.filter((r) => !granted.some((g) => covers(g, r)));
}

/**
 * Parsed form of a route path pattern such as `/orders/:accountId/*`:
 * literal segments, `:param` segments and an optional trailing wildcard.
 * The syntax itself is checked by the schema (PATH_PATTERN); this only splits it.
 */
export type PatternSegment =
  { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'param'; readonly name: string };

export interface PathPattern {
  readonly segments: readonly PatternSegment[];
  /** true when the pattern ends in `/*` (zero or more further segments) */
  readonly wildcard: boolean;
}

/** Splits a pattern already known to match PATH_PATTERN. */
export function parsePathPattern(path: string): PathPattern {
  if (path === '/') return { segments: [], wildcard: false };
  const parts = path.slice(1).split('/');
  let wildcard = false;
  if (parts[parts.length - 1] === '*') {
    wildcard = true;
    parts.pop();
  }
  const segments = parts.map((part): PatternSegment =>
    part.startsWith(':') ? { kind: 'param', name: part.slice(1) } : { kind: 'literal', value: part },
  );
  return { segments, wildcard };
}

/** The pattern with parameter names erased: `/orders/:a/*` and `/orders/:b/*` are the same route shape. */
export function patternShape(pattern: PathPattern): string {
  const body = pattern.segments.map((s) => (s.kind === 'literal' ? s.value : ':')).join('/');
  return '/' + body + (pattern.wildcard ? (body ? '/*' : '*') : '');
}

/** The leading literal segments (before the first parameter or the wildcard). */
export function literalPrefix(pattern: PathPattern): string[] {
  const out: string[] = [];
  for (const s of pattern.segments) {
    if (s.kind !== 'literal') break;
    out.push(s.value);
  }
  return out;
}

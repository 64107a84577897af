const VERBS: Record<string, string> = { create: 'Create', read: 'Read', update: 'Change', delete: 'Delete' };

/** A scope in words for the consent page: `orders:read` → "Read orders", `personal_access_tokens:delete` → "Delete personal access tokens". */
export function scopeInWords(scope: string): string {
  const [resource, action] = scope.split(':');
  const noun = (resource ?? scope).replace(/_/g, ' ');
  if (action === '*') return `Do everything with ${noun}`;
  const verb = VERBS[action ?? ''];
  return verb === undefined ? scope : `${verb} ${noun}`;
}

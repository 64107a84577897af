import { Type, type Static } from '@sinclair/typebox';

/** Actions of the scope grammar (`resource:*` stands for all of them). */
export const SCOPE_ACTIONS = ['create', 'read', 'update', 'delete'] as const;
export type ScopeAction = (typeof SCOPE_ACTIONS)[number];

/** `<resource>:<action>`, resource in snake_case, action one of create/read/update/delete or `*`. */
export const SCOPE_PATTERN = /^[a-z][a-z0-9_]*:(create|read|update|delete|\*)$/;

/** JSON Schema of one scope string, used by every event that carries scopes or permissions. */
export const Scope = Type.String({
  pattern: SCOPE_PATTERN.source,
  maxLength: 200,
  title: 'Scope',
  description: 'Scope `<resource>:<action>`, action one of create, read, update, delete or `*`, e.g. `orders:read`.',
});
export type Scope = Static<typeof Scope>;

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && value.length <= 200 && SCOPE_PATTERN.test(value);
}

const VERBS: Record<string, string> = { create: 'Create', read: 'Read', update: 'Change', delete: 'Delete' };

/**
 * A scope in words, for the pages people read (the consent page, the console):
 * `orders:read` → "Read orders", `personal_access_tokens:delete` → "Delete personal access tokens".
 */
export function scopeInWords(scope: string): string {
  const [resource, action] = scope.split(':');
  const noun = (resource ?? scope).replace(/_/g, ' ');
  if (action === '*') return `Do everything with ${noun}`;
  const verb = VERBS[action ?? ''];
  return verb === undefined ? scope : `${verb} ${noun}`;
}

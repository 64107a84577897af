/** A posted form: every field with all its values (checkbox grids post one name many times). */
export type Form = Readonly<Record<string, readonly string[]>>;

export function parseForm(body: string): Form {
  const form: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) (form[name] ??= []).push(value);
  return form;
}

/** The field's first value, trimmed; '' when absent. */
export function field(form: Form | undefined, name: string): string {
  return (form?.[name]?.[0] ?? '').trim();
}

/** Every value of the field (e.g. the ticked boxes). */
export function fields(form: Form | undefined, name: string): string[] {
  return [...(form?.[name] ?? [])];
}

/** A same-site path to return to after signing in: only "/…" in printable ASCII (never "//host" or a URL). */
export function safeReturnPath(raw: unknown): string {
  // printable ASCII only: anything else could not go into a Location header (RFC 9110), and no path of ours needs it
  return typeof raw === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(raw) && raw.length <= 500 ? raw : '/';
}

/** A list's `after` cursor from the query, when it looks like one (keyset cursors are base64url). */
export function cursorParam(req: { query: unknown }): string | null {
  const after = (req.query as Record<string, unknown> | undefined)?.after;
  return typeof after === 'string' && /^[A-Za-z0-9_-]{1,500}$/.test(after) ? after : null;
}

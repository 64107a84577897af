import { html, type SafeHtml } from '@latchkey/http';

/** A field's error in words, below it (its id is what the field's aria-describedby names). */
export function fieldError(errors: Record<string, string>, name: string): SafeHtml | null {
  return errors[name] ? html`<p class="field-error" id="${name}-error">${errors[name]}</p>` : null;
}

/** The attributes that tie a field to its error, when it has one. */
export function invalidAttrs(errors: Record<string, string>, name: string): SafeHtml | null {
  return errors[name] ? html`aria-invalid="true" aria-describedby="${name}-error"` : null;
}

const ACTIONS = ['create', 'read', 'update', 'delete'] as const;

/** The record types of a grid: every resource `held` names, sorted. */
export function resourcesOf(held: readonly string[]): string[] {
  return [...new Set(held.map((s) => s.slice(0, s.indexOf(':'))))].sort();
}

/**
 * The record type × create/read/update/delete grid of checkboxes named `scope`: a box for a scope
 * not in `held` is disabled and says so; `chosen` boxes are ticked.
 */
export function scopeGrid(held: readonly string[], chosen: readonly string[]): SafeHtml {
  const holds = new Set(held);
  return html`<div class="table-wrap">
    <table class="grid">
      <thead>
        <tr>
          <th scope="col">Record type</th>
          ${ACTIONS.map((a) => html`<th scope="col">${a}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${resourcesOf(held).map(
          (r) =>
            html`<tr>
              <th scope="row">${r}</th>
              ${ACTIONS.map((a) => {
                const scope = `${r}:${a}`;
                const ok = holds.has(scope);
                return html`<td>
                  <label
                    ><input
                      type="checkbox"
                      name="scope"
                      value="${scope}"
                      aria-label="${r} ${a}"
                      ${chosen.includes(scope) && ok ? html`checked` : null}
                      ${ok ? null : html`disabled`}
                    /><span class="muted">${ok ? '' : 'not held'}</span></label
                  >
                </td>`;
              })}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

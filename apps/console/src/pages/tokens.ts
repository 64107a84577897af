import { html } from '@latchkey/http';
import { fieldError, invalidAttrs, scopeGrid } from './form-parts';
import { page, pager, type Viewer } from './layout';

export interface PatRow {
  id: string;
  name: string;
  description: string | null;
  displayPrefix: string;
  scopes: string[];
  accountIds: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

export const TOKEN_FILTERS = [
  { key: 'all', label: 'All' },
  { key: 'active', label: 'Active' },
  { key: 'expiring', label: 'Expiring within 7 days' },
  { key: 'expired', label: 'Expired' },
  { key: 'revoked', label: 'Revoked' },
] as const;
export type TokenFilter = (typeof TOKEN_FILTERS)[number]['key'];

const WEEK_MS = 7 * 86_400_000;

/** Whether a token belongs under the filter (expiring: active and ending within 7 days). */
export function matchesFilter(pat: PatRow, filter: TokenFilter, now: number): boolean {
  if (filter === 'all') return true;
  if (filter === 'expiring')
    return pat.status === 'active' && pat.expiresAt !== null && new Date(pat.expiresAt).getTime() - now <= WEEK_MS;
  return pat.status === filter;
}

const day = (iso: string | null, none: string) => (iso === null ? none : iso.slice(0, 10));

export function tokensPage(
  viewer: Viewer,
  pats: PatRow[],
  filter: TokenFilter,
  nextCursor: string | null,
  notice?: string,
): string {
  return page(
    'Personal access tokens',
    html`<h1>Personal access tokens</h1>
      <p class="muted">Tokens you use with the API and in scripts. Each acts for you, never with more than you hold.</p>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      <p><a class="button primary" href="/tokens/new">Generate new token</a></p>
      <nav aria-label="Filter tokens">
        <ul class="filters">
          ${TOKEN_FILTERS.map(
            (f) =>
              html`<li>
                <a href="/tokens?status=${f.key}" ${f.key === filter ? html`aria-current="page"` : null}>${f.label}</a>
              </li>`,
          )}
        </ul>
      </nav>
      ${
        pats.length === 0
          ? html`<p>No tokens here.</p>`
          : html`<div class="table-wrap">
              <table>
                <caption class="muted">
                  Your tokens (${TOKEN_FILTERS.find((f) => f.key === filter)?.label ?? 'All'})
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Accounts</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Status</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${pats.map(
                    (p) =>
                      html`<tr>
                        <td>
                          <strong>${p.name}</strong><br /><span class="muted">${p.displayPrefix}…</span>
                          ${p.description ? html`<br /><span class="muted">${p.description}</span>` : null}
                        </td>
                        <td>${p.scopes.join(', ')}</td>
                        <td>${p.accountIds.join(', ')}</td>
                        <td>${day(p.createdAt, '')}</td>
                        <td>${day(p.expiresAt, 'Never')}</td>
                        <td>${day(p.lastUsedAt, 'Never used')}</td>
                        <td><span class="status ${p.status}">${p.status}</span></td>
                        <td>
                          <a href="/tokens/${p.id}" aria-label="Details of ${p.name}">Details</a>
                          ${
                            p.status === 'active'
                              ? html`<br /><a href="/tokens/${p.id}/revoke" aria-label="Revoke ${p.name}">Revoke</a>`
                              : null
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${pager(nextCursor, (c) => `/tokens?status=${filter}&after=${c}`)}`,
    viewer,
    '/tokens',
  );
}

export interface AccountChoice {
  id: string;
  /** The user's permissions there (expanded). */
  permissions: string[];
  /** The account's token policy: the longest lifetime in days, null = no limit (Never allowed). */
  maxLifetimeDays: number | null;
}

export interface NewTokenForm {
  name: string;
  description: string;
  expiry: string;
  expiresOn: string;
  accounts: string[];
  scopes: string[];
}

export const EXPIRY_PRESETS = [
  { key: '7', label: '7 days' },
  { key: '30', label: '30 days' },
  { key: '60', label: '60 days' },
  { key: '90', label: '90 days' },
  { key: 'date', label: 'On a date' },
  { key: 'never', label: 'Never' },
] as const;

/** Where the form goes: one's own tokens (default) or a user's, by an administrator. */
export interface TokenFormTarget {
  heading: string;
  action: string;
  cancel: string;
  /** Whose permissions the grid shows. */
  whose: string;
}

const OWN_TOKEN: TokenFormTarget = {
  heading: 'Generate new token',
  action: '/tokens',
  cancel: '/tokens',
  whose: 'you do',
};

export function newTokenPage(
  viewer: Viewer,
  accounts: readonly AccountChoice[],
  form: NewTokenForm,
  errors: Record<string, string> = {},
  target: TokenFormTarget = OWN_TOKEN,
): string {
  const heldAnywhere = accounts.flatMap((a) => a.permissions);
  const limits = accounts.map((a) => a.maxLifetimeDays).filter((d): d is number => d !== null);
  const maxDays = limits.length ? Math.min(...limits) : null;
  return page(
    target.heading,
    html`<section class="card">
      <h1>${target.heading}</h1>
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
      <form method="post" action="${target.action}" novalidate>
        <input type="hidden" name="csrf" value="${viewer.csrf}" />
        <label for="name">Name</label>
        <input
          type="text"
          id="name"
          name="name"
          maxlength="200"
          value="${form.name}"
          required
          ${invalidAttrs(errors, 'name')}
        />
        ${fieldError(errors, 'name')}
        <label for="description">Description <span class="muted">(optional)</span></label>
        <textarea id="description" name="description" rows="2" maxlength="2000" ${invalidAttrs(errors, 'description')}>
${form.description}</textarea>
        ${fieldError(errors, 'description')}
        <fieldset ${invalidAttrs(errors, 'expiry')}>
          <legend>Expiration</legend>
          <p class="muted">
            ${
              maxDays === null
                ? 'Your accounts’ policies allow tokens that never expire.'
                : `The longest lifetime your accounts’ policies allow: ${maxDays} days.`
            }
          </p>
          ${EXPIRY_PRESETS.filter((p) => p.key !== 'never' || maxDays === null).map(
            (p) =>
              html`<label
                ><input type="radio" name="expiry" value="${p.key}" ${form.expiry === p.key ? html`checked` : null} />
                ${p.label}</label
              >`,
          )}
          <label for="expiresOn">Date <span class="muted">(when “On a date”)</span></label>
          <input type="date" id="expiresOn" name="expiresOn" value="${form.expiresOn}" />
          ${fieldError(errors, 'expiry')}
        </fieldset>
        <fieldset ${invalidAttrs(errors, 'accounts')}>
          <legend>Accounts the token acts in</legend>
          ${accounts.map(
            (a) =>
              html`<label
                ><input
                  type="checkbox"
                  name="account"
                  value="${a.id}"
                  ${form.accounts.includes(a.id) ? html`checked` : null}
                />
                ${a.id}</label
              >`,
          )}
          ${fieldError(errors, 'accounts')}
        </fieldset>
        <fieldset ${invalidAttrs(errors, 'scopes')}>
          <legend>Record types and what the token may do with them</legend>
          <p class="muted">A box you cannot tick is something ${target.whose} not hold in these accounts.</p>
          ${scopeGrid(heldAnywhere, form.scopes)} ${fieldError(errors, 'scopes')}
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary">Generate token</button>
          <a href="${target.cancel}">Cancel</a>
        </div>
      </form>
    </section>`,
    viewer,
    '/tokens',
  );
}

/** The one page that shows a token: it cannot be seen again. */
export function tokenCreatedPage(
  viewer: Viewer,
  pat: PatRow,
  token: string,
  back = { href: '/tokens', label: 'Back to your tokens' },
): string {
  return page(
    'Token created',
    html`<section class="card">
      <h1>Token “${pat.name}” created</h1>
      <p class="notice" role="status">
        Copy it now: this is the only time it is shown. Latchkey keeps only its hash and cannot show it again.
      </p>
      <div class="secret">
        <code id="new-token">${token}</code>
        <button type="button" data-copy="new-token">Copy</button>
        <span id="new-token-copied" role="status" aria-live="polite"></span>
      </div>
      <p class="muted">
        Scopes: ${pat.scopes.join(', ')} · accounts: ${pat.accountIds.join(', ')} · expires:
        ${day(pat.expiresAt, 'never')}
      </p>
      <p><a class="button" href="${back.href}">${back.label}</a></p>
    </section>`,
    viewer,
    '/tokens',
  );
}

export function revokeTokenPage(viewer: Viewer, pat: PatRow, error?: string): string {
  return page(
    'Revoke token',
    html`<section class="card">
      <h1>Revoke “${pat.name}”?</h1>
      <p>It stops working at once, everywhere. This cannot be undone; you can generate a new token afterwards.</p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <form method="post" action="/tokens/${pat.id}/revoke">
        <input type="hidden" name="csrf" value="${viewer.csrf}" />
        <div class="actions">
          <button type="submit" class="danger">Revoke token</button>
          <a href="/tokens">Cancel</a>
        </div>
      </form>
    </section>`,
    viewer,
    '/tokens',
  );
}

/** token-service's history of a PAT (its events, newest last). */
export interface PatEventRow {
  type: string;
  at: string;
  actor: string | null;
  reason?: string;
}

const EVENT_WORDS: Record<string, string> = {
  TokenIssued: 'Issued',
  TokenRegenerated: 'Regenerated (a new token replaced the old one)',
  TokenRevoked: 'Revoked',
  GrantRevoked: 'Revoked',
};

/** One token: what it may do, its history, Regenerate and Revoke. */
export function tokenPage(viewer: Viewer, pat: PatRow, history: PatEventRow[], error?: string): string {
  return page(
    pat.name,
    html`<section class="card">
      <h1>${pat.name}</h1>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <p class="muted">${pat.displayPrefix}… · <span class="status ${pat.status}">${pat.status}</span></p>
      ${pat.description ? html`<p>${pat.description}</p>` : null}
      <dl>
        <dt>Scopes</dt>
        <dd>${pat.scopes.join(', ')}</dd>
        <dt>Accounts</dt>
        <dd>${pat.accountIds.join(', ')}</dd>
        <dt>Created</dt>
        <dd>${day(pat.createdAt, '')}</dd>
        <dt>Expires</dt>
        <dd>${day(pat.expiresAt, 'Never')}</dd>
        <dt>Last used</dt>
        <dd>${day(pat.lastUsedAt, 'Never used')}</dd>
      </dl>
      <h2 id="history">History</h2>
      <ol aria-labelledby="history">
        ${history.map(
          (e) =>
            html`<li>
              ${EVENT_WORDS[e.type] ?? e.type} — ${e.at.slice(0, 16).replace('T', ' ')}
              UTC${e.actor ? ` by ${e.actor}` : ''}${e.reason ? ` (${e.reason})` : ''}
            </li>`,
        )}
      </ol>
      ${
        pat.status === 'active'
          ? html`<div class="actions">
              <form
                method="post"
                action="/tokens/${pat.id}/regenerate"
                data-confirm="Regenerate ${pat.name}? The current token stops working; the new one is shown once."
              >
                <input type="hidden" name="csrf" value="${viewer.csrf}" />
                <button type="submit">Regenerate</button>
              </form>
              <a href="/tokens/${pat.id}/revoke">Revoke</a>
            </div>`
          : null
      }
      <p><a href="/tokens">Back to your tokens</a></p>
    </section>`,
    viewer,
    '/tokens',
  );
}

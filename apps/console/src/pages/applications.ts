import { html, type SafeHtml } from '@latchkey/http';
import { fieldError, invalidAttrs, scopeGrid } from './form-parts';
import { page, pager, type Viewer } from './layout';

/** application-registry's view of an application. */
export interface ApplicationRow {
  clientId: string;
  ownerAccountId: string;
  name: string;
  description: string | null;
  clientType: 'confidential' | 'public';
  redirectUris: string[];
  grantTypes: string[];
  allowedScopes: string[];
  accountIds: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  firstParty: boolean;
  status: 'enabled' | 'disabled';
  secretRotatedAt: string | null;
  previousSecretValidUntil: string | null;
  createdAt: string;
}

export interface ApplicationForm {
  name: string;
  description: string;
  clientType: 'confidential' | 'public';
  redirectUris: string;
  grantTypes: string[];
  scopes: string[];
  accessTtlMinutes: string;
  refreshTtlDays: string;
  firstParty: boolean;
}

export const EMPTY_APPLICATION: ApplicationForm = {
  name: '',
  description: '',
  clientType: 'confidential',
  redirectUris: '',
  grantTypes: ['authorization_code', 'refresh_token'],
  scopes: [],
  accessTtlMinutes: '60',
  refreshTtlDays: '14',
  firstParty: false,
};

const GRANT_TYPES = [
  { key: 'authorization_code', label: 'Authorization code (people sign in)' },
  { key: 'refresh_token', label: 'Refresh tokens' },
  { key: 'client_credentials', label: 'Client credentials (the application acts as itself; confidential only)' },
];

function accountPicker(accounts: readonly string[], current: string, path: string): SafeHtml | null {
  if (accounts.length < 2) return null;
  return html`<form method="get" action="${path}" class="actions">
    <label for="account">Account</label>
    <select id="account" name="account">
      ${accounts.map((a) => html`<option value="${a}" ${a === current ? html`selected` : null}>${a}</option>`)}
    </select>
    <button type="submit">Show</button>
  </form>`;
}

export function applicationsPage(
  viewer: Viewer,
  account: string,
  adminAccounts: readonly string[],
  apps: ApplicationRow[],
  notice?: string,
  nextCursor?: string | null,
): string {
  return page(
    'Applications',
    html`<h1>Applications</h1>
      <p class="muted">OAuth applications owned by account ${account}.</p>
      ${accountPicker(adminAccounts, account, '/settings/applications')}
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      <p><a class="button primary" href="/settings/applications/new?account=${account}">Register an application</a></p>
      ${
        apps.length === 0
          ? html`<p>No applications yet.</p>`
          : html`<div class="table-wrap">
              <table>
                <caption class="muted">
                  Applications of ${account}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Client id</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Status</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${apps.map(
                    (a) =>
                      html`<tr>
                        <td>
                          <strong>${a.name}</strong
                          >${a.firstParty ? html`<br /><span class="muted">first party</span>` : null}
                        </td>
                        <td>${a.clientType}</td>
                        <td><code>${a.clientId}</code></td>
                        <td>${a.allowedScopes.join(', ') || html`<span class="muted">none</span>`}</td>
                        <td>
                          <span class="status ${a.status === 'enabled' ? 'active' : 'revoked'}">${a.status}</span>
                        </td>
                        <td>
                          <a
                            href="/settings/applications/${a.clientId}?account=${account}"
                            aria-label="Manage ${a.name}"
                            >Manage</a
                          >
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${pager(nextCursor, (c) => `/settings/applications?account=${account}&after=${c}`)}`,
    viewer,
    '/settings/applications',
  );
}

export function newApplicationPage(
  viewer: Viewer,
  account: string,
  heldScopes: readonly string[],
  form: ApplicationForm,
  errors: Record<string, string> = {},
): string {
  return page(
    'Register an application',
    html`<section class="card">
      <h1>Register an application</h1>
      <p class="muted">
        Owned by account ${account}. Its tokens never do more than it may request, nor than their user may do.
      </p>
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
      <form method="post" action="/settings/applications?account=${account}" novalidate>
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
        <textarea id="description" name="description" rows="2" maxlength="2000">${form.description}</textarea>
        <fieldset>
          <legend>Type</legend>
          <label
            ><input
              type="radio"
              name="clientType"
              value="confidential"
              ${form.clientType === 'confidential' ? html`checked` : null}
            />
            Confidential (a server: gets a client secret)</label
          >
          <label
            ><input
              type="radio"
              name="clientType"
              value="public"
              ${form.clientType === 'public' ? html`checked` : null}
            />
            Public (a browser or native app: PKCE only)</label
          >
        </fieldset>
        <label for="redirectUris">Redirect URIs <span class="muted">(one per line)</span></label>
        <textarea id="redirectUris" name="redirectUris" rows="3" ${invalidAttrs(errors, 'redirectUris')}>
${form.redirectUris}</textarea>
        ${fieldError(errors, 'redirectUris')}
        <fieldset ${invalidAttrs(errors, 'grantTypes')}>
          <legend>Grant types</legend>
          ${GRANT_TYPES.map(
            (g) =>
              html`<label
                ><input
                  type="checkbox"
                  name="grantType"
                  value="${g.key}"
                  ${form.grantTypes.includes(g.key) ? html`checked` : null}
                />
                ${g.label}</label
              >`,
          )}
          ${fieldError(errors, 'grantTypes')}
        </fieldset>
        <fieldset ${invalidAttrs(errors, 'scopes')}>
          <legend>What it may request</legend>
          ${scopeGrid(heldScopes, form.scopes)} ${fieldError(errors, 'scopes')}
        </fieldset>
        <label for="accessTtlMinutes">Access token lifetime (minutes)</label>
        <input
          type="text"
          inputmode="numeric"
          id="accessTtlMinutes"
          name="accessTtlMinutes"
          value="${form.accessTtlMinutes}"
          ${invalidAttrs(errors, 'accessTtl')}
        />
        ${fieldError(errors, 'accessTtl')}
        <label for="refreshTtlDays">Refresh token lifetime (days)</label>
        <input
          type="text"
          inputmode="numeric"
          id="refreshTtlDays"
          name="refreshTtlDays"
          value="${form.refreshTtlDays}"
          ${invalidAttrs(errors, 'refreshTtl')}
        />
        ${fieldError(errors, 'refreshTtl')}
        <fieldset>
          <legend>Consent</legend>
          <label
            ><input type="checkbox" name="firstParty" value="1" ${form.firstParty ? html`checked` : null} /> First
            party: skip the consent page (your company's own applications)</label
          >
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary">Register</button>
          <a href="/settings/applications?account=${account}">Cancel</a>
        </div>
      </form>
    </section>`,
    viewer,
    '/settings/applications',
  );
}

/** The one page that shows a client secret. */
export function secretShownPage(
  viewer: Viewer,
  account: string,
  app: ApplicationRow,
  secret: string | null,
  what: string,
): string {
  return page(
    what,
    html`<section class="card">
      <h1>${what}: ${app.name}</h1>
      <p>Client id: <code id="client-id">${app.clientId}</code></p>
      ${
        secret === null
          ? html`<p class="muted">A public application has no secret: it proves itself with PKCE.</p>`
          : html`<p class="notice" role="status">Copy the client secret now: it is shown only this once.</p>
              <div class="secret">
                <code id="client-secret">${secret}</code>
                <button type="button" data-copy="client-secret">Copy</button>
                <span id="client-secret-copied" role="status" aria-live="polite"></span>
              </div>
              ${
                app.previousSecretValidUntil
                  ? html`<p class="muted">The previous secret keeps working until ${app.previousSecretValidUntil}.</p>`
                  : null
              }`
      }
      <p><a class="button" href="/settings/applications/${app.clientId}?account=${account}">Manage ${app.name}</a></p>
    </section>`,
    viewer,
    '/settings/applications',
  );
}

function action(viewer: Viewer, path: string, label: string, confirm: string, danger = false): SafeHtml {
  return html`<form method="post" action="${path}" data-confirm="${confirm}">
    <input type="hidden" name="csrf" value="${viewer.csrf}" />
    <button type="submit" ${danger ? html`class="danger"` : null}>${label}</button>
  </form>`;
}

export function applicationPage(viewer: Viewer, account: string, app: ApplicationRow, error?: string): string {
  const base = `/settings/applications/${app.clientId}`;
  const q = `?account=${account}`;
  return page(
    app.name,
    html`<section class="card">
      <h1>${app.name}</h1>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <dl>
        <dt>Client id</dt>
        <dd><code>${app.clientId}</code></dd>
        <dt>Type</dt>
        <dd>${app.clientType}${app.firstParty ? ' · first party' : ''}</dd>
        <dt>Status</dt>
        <dd>${app.status}</dd>
        <dt>Redirect URIs</dt>
        <dd>${app.redirectUris.join(' · ') || 'none'}</dd>
        <dt>Grant types</dt>
        <dd>${app.grantTypes.join(', ')}</dd>
        <dt>May request</dt>
        <dd>${app.allowedScopes.join(', ') || 'nothing'}</dd>
        <dt>Lifetimes</dt>
        <dd>
          access ${Math.round(app.accessTokenTtlSeconds / 60)} min · refresh
          ${Math.round(app.refreshTokenTtlSeconds / 86400)} days
        </dd>
      </dl>
      <div class="actions">
        ${
          app.clientType === 'confidential'
            ? action(
                viewer,
                `${base}/rotate${q}`,
                'Rotate secret',
                'A new secret is shown once; the old one keeps working for 24 hours.',
              )
            : null
        }
        ${
          app.status === 'enabled'
            ? action(
                viewer,
                `${base}/disable${q}`,
                'Disable',
                `Disable ${app.name}? Its tokens stop working until it is enabled.`,
                true,
              )
            : action(viewer, `${base}/enable${q}`, 'Enable', `Enable ${app.name}?`)
        }
        ${action(viewer, `${base}/delete${q}`, 'Delete', `Delete ${app.name}? This cannot be undone.`, true)}
      </div>
      <p><a href="/settings/applications${q}">All applications</a></p>
    </section>`,
    viewer,
    '/settings/applications',
  );
}

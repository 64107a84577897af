import { scopeInWords } from '@latchkey/contracts';
import { html, type SafeHtml } from '@latchkey/http';
import { fieldError, invalidAttrs } from './form-parts';
import { page, type Viewer } from './layout';

/** token-service's GET /v1/me/authorizations item. */
export interface AuthorizationRow {
  grantId: string;
  application: { clientId: string; name: string | null; ownerAccountId: string | null };
  scopes: string[];
  accountIds: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

/** token-service's GET /v1/me/sessions item: a sign-in at the authorization server. */
export interface LoginSessionRow {
  sessionId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
}

const when = (iso: string | null, none: string) =>
  iso === null ? none : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export interface SecurityView {
  applications: AuthorizationRow[];
  consoleSignIns: AuthorizationRow[];
  sessions: LoginSessionRow[];
  notice?: string;
  passwordErrors?: Record<string, string>;
}

function revokeForm(viewer: Viewer, action: string, label: string, confirm: string): SafeHtml {
  return html`<form method="post" action="${action}" data-confirm="${confirm}">
    <input type="hidden" name="csrf" value="${viewer.csrf}" />
    <button type="submit" class="danger">${label}</button>
  </form>`;
}

export function securityPage(viewer: Viewer, v: SecurityView): string {
  const errors = v.passwordErrors ?? {};
  const err = (name: string) => fieldError(errors, name);
  const invalid = (name: string) => invalidAttrs(errors, name);
  return page(
    'Access & Security',
    html`<h1>Access &amp; Security</h1>
      ${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : null}
      <h2 id="apps">Applications you authorized</h2>
      ${
        v.applications.length === 0
          ? html`<p>You have not authorized any application.</p>`
          : html`<div class="table-wrap">
              <table aria-labelledby="apps">
                <thead>
                  <tr>
                    <th scope="col">Application</th>
                    <th scope="col">May</th>
                    <th scope="col">Accounts</th>
                    <th scope="col">Authorized</th>
                    <th scope="col">Last used</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${v.applications.map(
                    (a) =>
                      html`<tr>
                        <td>
                          <strong>${a.application.name ?? a.application.clientId}</strong>
                          ${
                            a.application.ownerAccountId
                              ? html`<br /><span class="muted">Owned by ${a.application.ownerAccountId}</span>`
                              : null
                          }
                        </td>
                        <td>${a.scopes.map(scopeInWords).join(', ')}</td>
                        <td>${a.accountIds.join(', ')}</td>
                        <td>${when(a.createdAt, '')}</td>
                        <td>${when(a.lastUsedAt, 'Never used')}</td>
                        <td>
                          ${revokeForm(
                            viewer,
                            `/security/authorizations/${a.grantId}/revoke`,
                            'Revoke',
                            `Revoke ${a.application.name ?? 'this application'}? Its tokens stop working at once.`,
                          )}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <h2 id="console-sessions">Console sign-ins</h2>
      <p class="muted">Each sign-in to this console. Ending one signs that browser out.</p>
      <div class="table-wrap">
        <table aria-labelledby="console-sessions">
          <thead>
            <tr>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col"><span class="muted">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${v.consoleSignIns.map(
              (a) =>
                html`<tr>
                  <td>${when(a.createdAt, '')}</td>
                  <td>${when(a.lastUsedAt, 'Never used')}</td>
                  <td>
                    ${revokeForm(viewer, `/security/authorizations/${a.grantId}/revoke`, 'End', 'End this console sign-in?')}
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <h2 id="login-sessions">Sign-in sessions</h2>
      <p class="muted">Browsers signed in at Latchkey’s sign-in page (they skip the password until they end).</p>
      ${
        v.sessions.length === 0
          ? html`<p>None.</p>`
          : html`<div class="table-wrap">
              <table aria-labelledby="login-sessions">
                <thead>
                  <tr>
                    <th scope="col">Browser</th>
                    <th scope="col">Started</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Ends</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${v.sessions.map(
                    (s) =>
                      html`<tr>
                        <td>${s.userAgent ?? 'Unknown browser'}</td>
                        <td>${when(s.createdAt, '')}</td>
                        <td>${when(s.lastSeenAt, '')}</td>
                        <td>${when(s.expiresAt, '')}</td>
                        <td>
                          ${revokeForm(viewer, `/security/sessions/${s.sessionId}/end`, 'End', 'End this sign-in session?')}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <section class="card">
        <h2 id="password">Change password</h2>
        ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
        <form method="post" action="/security/password" novalidate>
          <input type="hidden" name="csrf" value="${viewer.csrf}" />
          <label for="current">Current password</label>
          <input
            type="password"
            id="current"
            name="current"
            autocomplete="current-password"
            required
            ${invalid('current')}
          />
          ${err('current')}
          <label for="new">New password <span class="muted">(at least 12 characters)</span></label>
          <input type="password" id="new" name="new" autocomplete="new-password" required ${invalid('new')} />
          ${err('new')}
          <label for="repeat">Repeat the new password</label>
          <input type="password" id="repeat" name="repeat" autocomplete="new-password" required ${invalid('repeat')} />
          ${err('repeat')}
          <div class="actions"><button type="submit" class="primary">Change password</button></div>
        </form>
      </section>`,
    viewer,
    '/security',
  );
}

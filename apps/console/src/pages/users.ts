import { html, type SafeHtml } from '@latchkey/http';
import { fieldError, invalidAttrs } from './form-parts';
import { page, pager, type Viewer } from './layout';
import type { PatRow } from './tokens';

/** identity-service's view of a user in an account. */
export interface UserRow {
  userId: string;
  kind: 'human' | 'api' | 'contact';
  email: string | null;
  displayName: string;
  status: 'active' | 'deactivated';
  homeAccountId: string;
  memberships: Array<{ accountId: string; roles: string[]; permissions: string[] }>;
}

export interface RoleRow {
  name: string;
  description: string;
  allowedKinds: Array<UserRow['kind']>;
}

const KINDS = [
  { key: 'human', label: 'Person (signs in with a password)' },
  { key: 'api', label: 'API user (a machine: tokens only)' },
  { key: 'contact', label: 'External contact (limited to what the account’s contact policy allows)' },
] as const;

const rolesIn = (u: UserRow, account: string) => u.memberships.find((m) => m.accountId === account)?.roles ?? [];

export function usersPage(
  viewer: Viewer,
  account: string,
  users: UserRow[],
  q: string,
  notice?: string,
  nextCursor?: string | null,
): string {
  return page(
    'Users',
    html`<h1>Users</h1>
      <p class="muted">Members of account ${account}.</p>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      <form method="get" action="/users" class="actions" role="search">
        <input type="hidden" name="account" value="${account}" />
        <label for="q">Search by name or e-mail</label>
        <input type="text" id="q" name="q" value="${q}" />
        <button type="submit">Search</button>
      </form>
      <p><a class="button primary" href="/users/new?account=${account}">Register a user</a></p>
      ${
        users.length === 0
          ? html`<p>No users match.</p>`
          : html`<div class="table-wrap">
              <table>
                <caption class="muted">
                  Members of ${account}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Roles</th>
                    <th scope="col">Status</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${users.map(
                    (u) =>
                      html`<tr>
                        <td>
                          <strong>${u.displayName}</strong
                          >${u.email ? html`<br /><span class="muted">${u.email}</span>` : null}
                        </td>
                        <td>${u.kind}</td>
                        <td>${rolesIn(u, account).join(', ')}</td>
                        <td><span class="status ${u.status === 'active' ? 'active' : 'revoked'}">${u.status}</span></td>
                        <td>
                          <a href="/users/${u.userId}?account=${account}" aria-label="Manage ${u.displayName}"
                            >Manage</a
                          >
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${pager(nextCursor, (c) => `/users?account=${account}&after=${c}`)}`,
    viewer,
    '/users',
  );
}

export interface NewUserForm {
  kind: UserRow['kind'];
  displayName: string;
  email: string;
  roles: string[];
}

function roleBoxes(roles: readonly RoleRow[], chosen: readonly string[], kind?: UserRow['kind']): SafeHtml[] {
  return roles.map(
    (r) =>
      html`<label
        ><input
          type="checkbox"
          name="role"
          value="${r.name}"
          ${chosen.includes(r.name) ? html`checked` : null}
          ${kind && !r.allowedKinds.includes(kind) ? html`disabled` : null}
        />
        ${r.name} <span class="muted">— ${r.description} (${r.allowedKinds.join(', ')})</span></label
      >`,
  );
}

export function newUserPage(
  viewer: Viewer,
  account: string,
  roles: readonly RoleRow[],
  form: NewUserForm,
  errors: Record<string, string> = {},
): string {
  return page(
    'Register a user',
    html`<section class="card">
      <h1>Register a user</h1>
      <p class="muted">In account ${account}.</p>
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
      <form method="post" action="/users?account=${account}" novalidate>
        <input type="hidden" name="csrf" value="${viewer.csrf}" />
        <fieldset>
          <legend>Kind</legend>
          ${KINDS.map(
            (k) =>
              html`<label
                ><input type="radio" name="kind" value="${k.key}" ${form.kind === k.key ? html`checked` : null} />
                ${k.label}</label
              >`,
          )}
        </fieldset>
        <label for="displayName">Display name</label>
        <input
          type="text"
          id="displayName"
          name="displayName"
          value="${form.displayName}"
          maxlength="200"
          ${invalidAttrs(errors, 'displayName')}
        />
        ${fieldError(errors, 'displayName')}
        <label for="email">E-mail <span class="muted">(people and contacts; optional for API users)</span></label>
        <input type="email" id="email" name="email" value="${form.email}" ${invalidAttrs(errors, 'email')} />
        ${fieldError(errors, 'email')}
        <fieldset ${invalidAttrs(errors, 'roles')}>
          <legend>Roles</legend>
          ${roleBoxes(roles, form.roles)} ${fieldError(errors, 'roles')}
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary">Register</button>
          <a href="/users?account=${account}">Cancel</a>
        </div>
      </form>
    </section>`,
    viewer,
    '/users',
  );
}

function post(
  viewer: Viewer,
  action: string,
  label: string,
  confirm: string | null,
  extra?: SafeHtml,
  danger = false,
): SafeHtml {
  return html`<form method="post" action="${action}" ${confirm ? html`data-confirm="${confirm}"` : null}>
    <input type="hidden" name="csrf" value="${viewer.csrf}" />
    ${extra ?? null}
    <button type="submit" ${danger ? html`class="danger"` : null}>${label}</button>
  </form>`;
}

export function userPage(
  viewer: Viewer,
  account: string,
  user: UserRow,
  roles: readonly RoleRow[],
  tokens: PatRow[],
  notice?: string,
  errors: Record<string, string> = {},
): string {
  const base = `/users/${user.userId}`;
  const q = `?account=${account}`;
  return page(
    user.displayName,
    html`<section class="card wide">
      <h1>${user.displayName}</h1>
      <p class="muted">${user.kind}${user.email ? ` · ${user.email}` : ''} · ${user.status}</p>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
      <h2 id="roles-heading">Roles in ${account}</h2>
      <form method="post" action="${base}/roles${q}">
        <input type="hidden" name="csrf" value="${viewer.csrf}" />
        <fieldset aria-labelledby="roles-heading">
          ${roleBoxes(roles, rolesIn(user, account), user.kind)} ${fieldError(errors, 'roles')}
        </fieldset>
        <button type="submit">Save roles</button>
      </form>
      <h2>Access</h2>
      <div class="actions">
        ${
          user.status === 'active'
            ? post(
                viewer,
                `${base}/deactivate${q}`,
                'Deactivate',
                `Deactivate ${user.displayName}? Every token of theirs stops working at once.`,
                html`<label for="reason">Reason</label
                  ><input type="text" id="reason" name="reason" value="Deactivated in the console" />`,
                true,
              )
            : post(
                viewer,
                `${base}/reactivate${q}`,
                'Reactivate',
                `Reactivate ${user.displayName}? Revoked tokens stay revoked.`,
              )
        }
      </div>
      ${
        user.kind !== 'api'
          ? html`<h2>Set password</h2>
              <form method="post" action="${base}/password${q}" novalidate>
                <input type="hidden" name="csrf" value="${viewer.csrf}" />
                <label for="password">New password <span class="muted">(at least 12 characters)</span></label>
                <input
                  type="password"
                  id="password"
                  name="password"
                  autocomplete="new-password"
                  ${invalidAttrs(errors, 'password')}
                />
                ${fieldError(errors, 'password')}
                <div class="actions"><button type="submit">Set password</button></div>
              </form>`
          : null
      }
      <h2 id="user-tokens">Tokens</h2>
      <p><a class="button primary" href="${base}/tokens/new${q}">Generate token for this user</a></p>
      ${
        tokens.length === 0
          ? html`<p>No tokens.</p>`
          : html`<div class="table-wrap">
              <table aria-labelledby="user-tokens">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Status</th>
                    <th scope="col"><span class="muted">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${tokens.map(
                    (t) =>
                      html`<tr>
                        <td>${t.name}</td>
                        <td>${t.scopes.join(', ')}</td>
                        <td>${t.expiresAt === null ? 'Never' : t.expiresAt.slice(0, 10)}</td>
                        <td><span class="status ${t.status}">${t.status}</span></td>
                        <td>
                          ${
                            t.status === 'active'
                              ? post(
                                  viewer,
                                  `${base}/tokens/${t.id}/revoke${q}`,
                                  'Revoke',
                                  `Revoke ${t.name}? It stops working at once.`,
                                  undefined,
                                  true,
                                )
                              : null
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <p><a href="/users${q}">All users</a></p>
    </section>`,
    viewer,
    '/users',
  );
}

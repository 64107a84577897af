import { html } from '@latchkey/http';
import { page } from './layout';
import { scopeInWords } from '@latchkey/contracts';

export interface LoginPage {
  applicationName: string;
  action: string;
  csrf: string;
  /** Kept after a failed attempt (never the password). */
  email?: string;
  error?: string;
}

/** The login page: e-mail and password, posted with the interaction's CSRF token. */
export function loginPage(p: LoginPage): string {
  return page(
    'Sign in',
    html`<h1>Sign in to continue to ${p.applicationName}</h1>
      ${p.error ? html`<p class="error" role="alert">${p.error}</p>` : null}
      <form method="post" action="${p.action}">
        <input type="hidden" name="csrf" value="${p.csrf}" />
        <label for="email">E-mail</label>
        <input id="email" name="email" type="email" autocomplete="username" required value="${p.email ?? ''}" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <div class="actions"><button class="primary" type="submit">Sign in</button></div>
      </form>`,
  );
}

export interface ConsentPage {
  applicationName: string;
  /** The owning account, as shown to the user. */
  ownerName: string;
  scopes: readonly string[];
  /** The user's accounts the application may act in; one is preselected when it is the only one. */
  accounts: ReadonlyArray<{ id: string; name: string }>;
  action: string;
  csrf: string;
  userEmail: string;
}

/** The consent page: who asks, for what (in words), in which of the user's accounts; Allow / Deny. */
export function consentPage(p: ConsentPage): string {
  const only = p.accounts.length === 1;
  return page(
    'Authorize',
    html`<h1>${p.applicationName} wants access to your Latchkey account</h1>
      <p class="muted">Owned by ${p.ownerName}. Signed in as ${p.userEmail}.</p>
      <form method="post" action="${p.action}">
        <input type="hidden" name="csrf" value="${p.csrf}" />
        <p>It will be able to:</p>
        <ul>
          ${p.scopes.map((s) => html`<li>${scopeInWords(s)} <span class="muted">(${s})</span></li>`)}
        </ul>
        <fieldset>
          <legend>In these accounts</legend>
          ${p.accounts.map(
            (a) =>
              html`<label
                ><input type="checkbox" name="account" value="${a.id}" ${only ? html`checked` : null} />
                ${a.name}</label
              >`,
          )}
        </fieldset>
        <div class="actions">
          <button class="secondary" type="submit" name="decision" value="deny">Deny</button>
          <button class="primary" type="submit" name="decision" value="allow">Allow</button>
        </div>
      </form>`,
  );
}

/** Signing out of the authorization server: a button (a POST with the session's own CSRF token), or "signed out". */
export function logoutPage(p: { action: string; csrf: string } | null): string {
  return p === null
    ? page(
        'Signed out',
        html`<h1>You are signed out</h1>
          <p class="muted">You can close this page.</p>`,
      )
    : page(
        'Sign out',
        html`<h1>Sign out of Latchkey?</h1>
          <p class="muted">Applications you authorized keep their access; revoke them under Access &amp; Security.</p>
          <form method="post" action="${p.action}">
            <input type="hidden" name="csrf" value="${p.csrf}" />
            <div class="actions"><button class="primary" type="submit">Sign out</button></div>
          </form>`,
      );
}

/** An error the user must see (never redirected: the client or its redirect URI is not trusted). */
export function errorPage(title: string, message: string): string {
  return page(
    title,
    html`<h1>${title}</h1>
      <p class="error" role="alert">${message}</p>`,
  );
}

import { html } from '@latchkey/http';
import { page } from './layout';

/** The page of the first sign-in link: the bootstrap administrator chooses a first password. */
export function firstSignInPage(code: string, errors: Record<string, string> = {}): string {
  return page(
    'Choose your password',
    html`<section class="card">
      <h1>Choose the administrator’s password</h1>
      <p>
        This link came from identity-service’s first start. It works once; afterwards you sign in with this password.
      </p>
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
      <form method="post" action="/setup" novalidate>
        <input type="hidden" name="code" value="${code}" />
        <label for="password">New password <span class="muted">(at least 12 characters)</span></label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="new-password"
          required
          ${errors.password ? html`aria-invalid="true" aria-describedby="password-error"` : null}
        />
        ${errors.password ? html`<p class="field-error" id="password-error">${errors.password}</p>` : null}
        <label for="confirm">Repeat it</label>
        <input
          type="password"
          id="confirm"
          name="confirm"
          autocomplete="new-password"
          required
          ${errors.confirm ? html`aria-invalid="true" aria-describedby="confirm-error"` : null}
        />
        ${errors.confirm ? html`<p class="field-error" id="confirm-error">${errors.confirm}</p>` : null}
        <div class="actions"><button type="submit" class="primary">Set password</button></div>
      </form>
    </section>`,
  );
}

export function firstSignInDonePage(): string {
  return page(
    'Password set',
    html`<section class="card">
      <h1>Password set</h1>
      <p role="status">The administrator’s password is set, and the link no longer works. Sign in with it now.</p>
      <p><a class="button primary" href="/login">Sign in</a></p>
    </section>`,
  );
}

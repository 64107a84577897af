import { html } from '@latchkey/http';
import { fieldError, invalidAttrs } from './form-parts';
import { page, type Viewer } from './layout';

export interface TokenPolicyRow {
  accountId: string;
  whoMayCreate: 'everyone' | 'administrators';
  maxLifetimeDays: number | null;
  contactScopes: string[];
}

/** Account settings: the account's token policy. `recordTypes`: the catalogue's business record types. */
export function accountSettingsPage(
  viewer: Viewer,
  policy: TokenPolicyRow,
  recordTypes: readonly string[],
  notice?: string,
  errors: Record<string, string> = {},
): string {
  const err = (name: string) => fieldError(errors, name);
  const invalid = (name: string) => invalidAttrs(errors, name);
  return page(
    'Account settings',
    html`<section class="card">
      <h1>Account settings</h1>
      <p class="muted">Token policy of account ${policy.accountId}. A change applies to tokens issued from now on.</p>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : null}
      <form method="post" action="/settings/account?account=${policy.accountId}" novalidate>
        <input type="hidden" name="csrf" value="${viewer.csrf}" />
        <fieldset>
          <legend>Who may create personal access tokens</legend>
          <label
            ><input
              type="radio"
              name="whoMayCreate"
              value="everyone"
              ${policy.whoMayCreate === 'everyone' ? html`checked` : null}
            />
            Every member</label
          >
          <label
            ><input
              type="radio"
              name="whoMayCreate"
              value="administrators"
              ${policy.whoMayCreate === 'administrators' ? html`checked` : null}
            />
            Administrators only (they make tokens for others)</label
          >
        </fieldset>
        <label for="maxLifetimeDays"
          >Longest token lifetime in days <span class="muted">(empty: no limit, “Never” allowed)</span></label
        >
        <input
          type="text"
          inputmode="numeric"
          id="maxLifetimeDays"
          name="maxLifetimeDays"
          value="${policy.maxLifetimeDays ?? ''}"
          ${invalid('maxLifetimeDays')}
        />
        ${err('maxLifetimeDays')}
        <fieldset>
          <legend>What external contacts’ tokens may do</legend>
          ${recordTypes.map(
            (r) =>
              html`<label
                ><input
                  type="checkbox"
                  name="contactScope"
                  value="${r}:read"
                  ${policy.contactScopes.includes(`${r}:read`) ? html`checked` : null}
                />
                Read ${r}</label
              >`,
          )}
        </fieldset>
        <div class="actions"><button type="submit" class="primary">Save policy</button></div>
      </form>
    </section>`,
    viewer,
    '/settings/account',
  );
}

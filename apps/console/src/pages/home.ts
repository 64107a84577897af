import { html } from '@latchkey/http';
import { page, type Viewer } from './layout';

export function homePage(viewer: Viewer): string {
  return page(
    'Console',
    html`<section class="card">
      <h1>Welcome</h1>
      <p>You are signed in as ${viewer.label}.</p>
      <ul>
        <li>
          <a href="/tokens">Personal access tokens</a>: generate, review and revoke the tokens you use with the API.
        </li>
        <li>
          <a href="/security">Access &amp; Security</a>: the applications you authorized, where you are signed in, your
          password.
        </li>
        <li>
          <a href="/settings/applications">Applications</a> (administrators): register and manage OAuth applications.
        </li>
        <li><a href="/users">Users</a> (administrators): people, API users and contacts, their roles and tokens.</li>
        <li><a href="/settings/account">Account settings</a> (administrators): the token policy.</li>
      </ul>
    </section>`,
    viewer,
    '/',
  );
}

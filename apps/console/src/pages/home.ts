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
      </ul>
    </section>`,
    viewer,
    '/',
  );
}

import { html, type SafeHtml } from '@latchkey/http';

export const STYLESHEET_PATH = '/assets/console.css';
export const SCRIPT_PATH = '/assets/console.js';

/** Who is signed in, for the page's header (absent on the sign-in page). */
export interface Viewer {
  label: string;
  csrf: string;
}

const NAV: Array<{ href: string; label: string }> = [
  { href: '/tokens', label: 'Personal access tokens' },
  { href: '/security', label: 'Access & Security' },
  { href: '/settings/applications', label: 'Applications' },
  { href: '/users', label: 'Users' },
  { href: '/settings/account', label: 'Account settings' },
];

/**
 * The frame of every console page: one same-origin stylesheet and script, nothing from another
 * origin; a skip link, the navigation and the sign-out form when someone is signed in.
 */
export function page(title: string, body: SafeHtml, viewer?: Viewer, current?: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · Latchkey console</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
        <script src="${SCRIPT_PATH}" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/">Latchkey</a>
          ${
            viewer
              ? html`<nav aria-label="Main">
                    <ul>
                      ${NAV.map(
                        (n) =>
                          html`<li>
                            <a href="${n.href}" ${current === n.href ? html`aria-current="page"` : null}>${n.label}</a>
                          </li>`,
                      )}
                    </ul>
                  </nav>
                  <form class="signout" method="post" action="/logout">
                    <span class="who">${viewer.label}</span>
                    <input type="hidden" name="csrf" value="${viewer.csrf}" />
                    <button type="submit" class="secondary">Sign out</button>
                  </form>`
              : null
          }
        </header>
        <main id="main">${body}</main>
      </body>
    </html>`.value;
}

/** "Next page" for a list the API answers page by page (keyset cursors). */
export function pager(nextCursor: string | null | undefined, href: (cursor: string) => string): SafeHtml | null {
  if (!nextCursor) return null;
  return html`<nav class="pager" aria-label="Pages">
    <a href="${href(encodeURIComponent(nextCursor))}">Next page</a>
  </nav>`;
}

/** The landing page of a visitor without a session. */
export function signInPage(error?: string): string {
  return page(
    'Sign in',
    html`<section class="card">
      <h1>Sign in to the Latchkey console</h1>
      <p>
        Manage your personal access tokens, the applications you authorized and, as an administrator, applications and
        users.
      </p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <p><a class="button primary" href="/login">Sign in</a></p>
    </section>`,
  );
}

/** A page saying what went wrong, in words, with a way on. */
export function problemPage(title: string, words: string, viewer?: Viewer): string {
  return page(
    title,
    html`<section class="card">
      <h1>${title}</h1>
      <p class="error" role="alert">${words}</p>
      <p><a href="/">Back to the console</a></p>
    </section>`,
    viewer,
  );
}

export const STYLESHEET = `*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:2}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;background:#fff;border-bottom:1px solid #dde1e8;padding:12px 24px}
.brand{font-weight:700;letter-spacing:.02em;color:#3b5bdb;text-decoration:none}
nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}
nav a{color:#1d2433}nav a[aria-current=page]{font-weight:700;color:#3b5bdb}
.signout{margin-left:auto;display:flex;align-items:center;gap:12px}.who{color:#4a5468;font-size:.92rem}
main{max-width:1100px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:24px;max-width:640px;margin:24px auto}
.wide{max-width:none}
h1{font-size:1.4rem;margin:0 0 12px}h2{font-size:1.1rem;margin:24px 0 8px}
.muted{color:#4a5468;font-size:.92rem}
.error{background:#fff0f0;border:1px solid #f5c2c2;color:#8f1515;border-radius:8px;padding:10px 12px}
.notice{background:#fff8e1;border:1px solid #f0d48a;color:#5c4400;border-radius:8px;padding:10px 12px}
.field-error{color:#8f1515;font-size:.92rem;margin:4px 0 0}
label{display:block;margin:16px 0 4px;font-weight:600}
input[type=text],input[type=date],input[type=password],input[type=email],select,textarea{width:100%;padding:9px 11px;border:1px solid #8a93a6;border-radius:8px;font:inherit;background:#fff}
fieldset{border:1px solid #c5cbd6;border-radius:8px;margin:16px 0;padding:8px 12px}legend{font-weight:600;padding:0 4px}
fieldset label{display:inline-flex;align-items:center;gap:6px;margin:4px 16px 4px 0;font-weight:400}
.button,button{display:inline-block;padding:9px 16px;border-radius:8px;border:1px solid #3b5bdb;font:inherit;font-weight:600;text-decoration:none;cursor:pointer;background:#fff;color:#2f4ac0}
.button.primary,button.primary{background:#3b5bdb;color:#fff}
button.danger{border-color:#b42318;color:#b42318}
.actions{display:flex;flex-wrap:wrap;gap:12px;margin-top:20px;align-items:center}
a:focus-visible,.button:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #1d2433;outline-offset:2px}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:8px}
th,td{text-align:left;padding:10px 12px;border-bottom:1px solid #e3e6ec;vertical-align:top;font-size:.95rem}
th{font-weight:600;background:#f8f9fb}
.status{display:inline-block;border-radius:999px;padding:1px 10px;font-size:.85rem;border:1px solid}
.status.active{color:#0c6b2e;border-color:#7cc49a}.status.expired{color:#5c4400;border-color:#e0c060}.status.revoked{color:#8f1515;border-color:#e39b9b}
.filters{display:flex;flex-wrap:wrap;gap:8px 16px;list-style:none;padding:0;margin:0 0 16px}
.filters a[aria-current=page]{font-weight:700}
.secret{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.secret code{font-size:1rem;padding:8px 10px;background:#f4f5f7;border:1px solid #c5cbd6;border-radius:6px;word-break:break-all}
.grid th,.grid td{text-align:center}.grid th:first-child,.grid td:first-child{text-align:left}
.grid input:disabled+span{color:#6b7385}
.pager{display:flex;gap:16px;margin-top:12px}
@media (max-width:600px){.top{padding:12px}.signout{margin-left:0}main{padding:16px 8px}.card{padding:16px;margin:12px auto}}
`;

/** The one script: the Copy button (the page works without it: the value is selectable text). */
export const SCRIPT = `document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('[data-copy]');
  if (!b) return;
  var el = document.getElementById(b.getAttribute('data-copy'));
  if (!el || !navigator.clipboard) return;
  navigator.clipboard.writeText(el.textContent).then(function () {
    var s = document.getElementById(b.getAttribute('data-copy') + '-copied');
    if (s) s.textContent = 'Copied.';
  });
});
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) e.preventDefault();
});
`;

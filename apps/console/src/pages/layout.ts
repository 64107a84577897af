import { html, type SafeHtml } from '@latchkey/http';

export const STYLESHEET_PATH = '/assets/console.css';

/** The frame of every console page: one same-origin stylesheet, nothing from another origin. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · Latchkey console</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <header class="top"><a class="brand" href="/">Latchkey</a></header>
        <main id="main">${body}</main>
      </body>
    </html>`.value;
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

export const STYLESHEET = `*{box-sizing:border-box}
body{margin:0;background:#f4f5f7;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433}
.top{background:#fff;border-bottom:1px solid #dde1e8;padding:12px 24px}
.brand{font-weight:700;letter-spacing:.02em;color:#3b5bdb;text-decoration:none}
main{max-width:1100px;margin:0 auto;padding:24px}
.card{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:24px;max-width:560px;margin:32px auto}
h1{font-size:1.4rem;margin:0 0 12px}
.error{background:#fff0f0;border:1px solid #f5c2c2;color:#a61b1b;border-radius:8px;padding:10px 12px}
.button{display:inline-block;padding:10px 16px;border-radius:8px;border:1px solid #3b5bdb;font-weight:600;text-decoration:none}
.button.primary{background:#3b5bdb;color:#fff}
a:focus-visible,.button:focus-visible{outline:3px solid #1d2433;outline-offset:2px}
`;

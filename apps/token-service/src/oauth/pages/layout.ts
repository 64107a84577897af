import { html, type SafeHtml } from '@latchkey/http';

/** Where the pages' stylesheet is served (same origin: the pages load nothing from elsewhere). */
export const STYLESHEET_PATH = '/oauth/assets/latchkey.css';

/** The frame of every page: no script at all, one same-origin stylesheet, nothing external. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · Latchkey</title>
        <link rel="stylesheet" href="${STYLESHEET_PATH}" />
      </head>
      <body>
        <main class="card">
          <p class="brand">Latchkey</p>
          ${body}
        </main>
      </body>
    </html> `.value;
}

/** The stylesheet (plain CSS, served from {@link STYLESHEET_PATH}). */
export const STYLESHEET = `*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f4f5f7;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433}
.card{width:100%;max-width:420px;margin:24px;padding:32px;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
.brand{margin:0 0 16px;font-weight:700;letter-spacing:.02em;color:#3b5bdb}
h1{font-size:1.35rem;margin:0 0 8px}
p{margin:0 0 16px}
.muted{color:#5c667a;font-size:.92rem}
label{display:block;margin:12px 0 4px;font-weight:600}
input[type=email],input[type=password]{width:100%;padding:10px 12px;border:1px solid #c5cbd6;border-radius:8px;font:inherit}
ul{padding-left:20px;margin:0 0 16px}
fieldset{border:1px solid #dde1e8;border-radius:8px;margin:0 0 16px;padding:8px 12px}
legend{font-weight:600;padding:0 4px}
.error{background:#fff0f0;border:1px solid #f5c2c2;color:#a61b1b;border-radius:8px;padding:10px 12px}
.actions{display:flex;gap:12px;margin-top:20px}
button{flex:1;padding:10px 14px;border-radius:8px;border:1px solid #3b5bdb;font:inherit;font-weight:600;cursor:pointer}
button.primary{background:#3b5bdb;color:#fff}
button.secondary{background:#fff;color:#3b5bdb}
`;

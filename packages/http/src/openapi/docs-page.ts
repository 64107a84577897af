import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenApiDocument } from './openapi';
import { INTERNAL_ROUTE } from './served-routes';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A small self-contained HTML page (no scripts, no CDN) listing the document's routes. */
export function renderDocsPage(document: OpenApiDocument): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const scopes = op.security?.flatMap((s) => Object.values(s).flat()) ?? [];
      const auth = op.security
        ? scopes.length
          ? scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' ')
          : 'bearer token'
        : 'public';
      const statuses = Object.keys(op.responses).join(', ');
      rows.push(
        `<tr><td class="m">${escapeHtml(method.toUpperCase())}</td><td><code>${escapeHtml(path)}</code></td>` +
          `<td>${escapeHtml(op.summary)}</td><td>${auth}</td><td>${escapeHtml(statuses)}</td></tr>`,
      );
    }
  }
  const title = escapeHtml(`${document.info.title} ${document.info.version}`);
  const description = document.info.description ? `<p>${escapeHtml(document.info.description)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.m{font-weight:bold;font-family:monospace}</style>
</head><body><h1>${title}</h1>${description}
<p>Machine-readable: <a href="/docs/openapi.json">/docs/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)}). Errors are <code>application/problem+json</code> (RFC 9457); bearer-token errors follow RFC 6750.</p>
<table><thead><tr><th>method</th><th>path</th><th>summary</th><th>scopes</th><th>responses</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></body></html>
`;
}

/**
 * Serves `GET /docs` (HTML) and `GET /docs/openapi.json` (the document). Call before `app.init()`;
 * these two routes are not part of `servedRoutes()`.
 */
export function registerOpenApi(app: NestFastifyApplication, document: OpenApiDocument): void {
  const fastify = app.getHttpAdapter().getInstance();
  const html = renderDocsPage(document);
  const json = JSON.stringify(document);
  const config = { [INTERNAL_ROUTE]: true };
  fastify.get('/docs', { config }, (_req, reply) => {
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(html);
  });
  fastify.get('/docs/openapi.json', { config }, (_req, reply) => {
    void reply.header('content-type', 'application/json; charset=utf-8').send(json);
  });
}

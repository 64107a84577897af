import { pageHeaders } from '@latchkey/http';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { SCRIPT, SCRIPT_PATH, signInPage, STYLESHEET, STYLESHEET_PATH } from '../pages/layout';
import { registerConsoleRoutes, type ConsoleDeps } from './console-routes';
import { parseForm } from './forms';

/** Sends a page (the HTML of pages/); the page headers come from the onSend hook. */
export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(body);
}

/** The most a form post may carry (the largest console form is an application's registration). */
const FORM_BODY_LIMIT = 64 * 1024;

/**
 * The console's HTTP edge: every answer carries the page headers (CSP without inline script,
 * nothing framed, never cached); form posts are parsed here, JSON bodies are not accepted.
 * Without `deps` only the edge (for its own tests): /healthz, the assets and the sign-in page.
 */
export function buildConsoleServer(deps?: ConsoleDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: FORM_BODY_LIMIT, trustProxy: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_req, body, done) => done(null, parseForm(body as string)),
  );
  const headers = pageHeaders({ scripts: true });
  app.addHook('onSend', async (_req, reply) => {
    for (const [name, value] of Object.entries(headers)) if (!reply.hasHeader(name)) void reply.header(name, value);
  });

  app.get('/healthz', async (_req, reply) => reply.type('application/json').send({ status: 'ok' }));
  app.get(STYLESHEET_PATH, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  app.get(SCRIPT_PATH, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SCRIPT),
  );
  if (deps) registerConsoleRoutes(app, deps);
  else app.get('/', async (_req, reply) => sendPage(reply, 200, signInPage()));
  app.setNotFoundHandler(async (_req, reply) => sendPage(reply, 404, signInPage('There is no such page.')));
  // a body Fastify refuses (too large, not a form) is the visitor's mistake, said in words; anything
  // else is ours, and its message is not shown (it may name internals)
  app.setErrorHandler(async (err: { statusCode?: number }, _req, reply) => {
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const words =
      status === 413
        ? 'That form was too large.'
        : status === 415
          ? 'The console accepts forms only.'
          : status < 500
            ? 'That request could not be understood.'
            : 'Something went wrong on our side.';
    return sendPage(reply, status, signInPage(words));
  });
  return app;
}

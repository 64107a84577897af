import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiProblem } from '../api/service-api';
import {
  applicationPage,
  applicationsPage,
  EMPTY_APPLICATION,
  newApplicationPage,
  secretShownPage,
  type ApplicationForm,
  type ApplicationRow,
} from '../pages/applications';
import { problemPage } from '../pages/layout';
import { sendPage } from './console-server';
import { cursorParam, field, fields, type Form } from './forms';
import {
  statusOf,
  UUID,
  wordsOf,
  type ConsoleDeps,
  type SessionGate,
  type SignedIn,
  chooseAccount,
} from './session-gate';

/** Settings → Applications (administrators): list, register (secret shown once), rotate, disable, enable, delete. */
export function registerApplicationRoutes(app: FastifyInstance, deps: ConsoleDeps, gate: SessionGate): void {
  const { requireSignedIn, requirePost } = gate;

  /** The account asked for (or the first one administered), or a page saying there is none. */
  const accountOf = (s: SignedIn, raw: unknown, reply: FastifyReply) =>
    chooseAccount(deps, s, raw, reply, 'applications:read', {
      title: 'Applications',
      none: 'You manage no account’s applications.',
    });

  const registry = (s: SignedIn, account: string) => ({
    call: <T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
      deps.registry.call<T>(method, path, s.tokens.accessToken, body, { 'x-account-id': account }),
  });
  const accountParam = (req: { query: unknown }) => (req.query as Record<string, unknown>).account;

  const NOTICES: Record<string, string> = {
    disabled: 'The application is disabled: its tokens no longer work.',
    enabled: 'The application is enabled again.',
    deleted: 'The application is deleted.',
  };

  app.get('/settings/applications', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const a = await accountOf(s, accountParam(req), reply);
      if (a === null) return reply;
      const after = cursorParam(req);
      const list = await registry(s, a.account).call<{ items: ApplicationRow[]; nextCursor: string | null }>(
        'GET',
        `/v1/applications?limit=50${after ? `&after=${after}` : ''}`,
      );
      const done = (req.query as Record<string, unknown>).done;
      const notice = typeof done === 'string' ? NOTICES[done] : undefined;
      return sendPage(
        reply,
        200,
        applicationsPage(s.viewer, a.account, [...a.accounts.keys()], list.items, notice, list.nextCursor),
      );
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Applications', wordsOf(err), s.viewer));
    }
  });

  app.get('/settings/applications/new', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const a = await accountOf(s, accountParam(req), reply);
      if (a === null) return reply;
      return sendPage(reply, 200, newApplicationPage(s.viewer, a.account, a.held, EMPTY_APPLICATION));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Register an application', wordsOf(err), s.viewer));
    }
  });

  app.post('/settings/applications', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const a = await accountOf(s, accountParam(req), reply).catch(() => null);
    if (a === null)
      return reply.sent ? reply : sendPage(reply, 502, problemPage('Applications', 'Try again in a moment.', s.viewer));
    const body = req.body as Form;
    const form: ApplicationForm = {
      name: field(body, 'name'),
      description: field(body, 'description'),
      clientType: field(body, 'clientType') === 'public' ? 'public' : 'confidential',
      redirectUris: field(body, 'redirectUris'),
      grantTypes: fields(body, 'grantType'),
      scopes: fields(body, 'scope'),
      accessTtlMinutes: field(body, 'accessTtlMinutes'),
      refreshTtlDays: field(body, 'refreshTtlDays'),
      firstParty: field(body, 'firstParty') === '1',
    };
    const errors: Record<string, string> = {};
    if (form.name === '') errors.name = 'Give the application a name people will recognise on the consent page.';
    if (form.grantTypes.length === 0) errors.grantTypes = 'Choose at least one grant type.';
    const minutes = Number(form.accessTtlMinutes);
    const days = Number(form.refreshTtlDays);
    if (!Number.isInteger(minutes) || minutes < 1) errors.accessTtl = 'A whole number of minutes, at least 1.';
    if (!Number.isInteger(days) || days < 1) errors.refreshTtl = 'A whole number of days, at least 1.';
    const redirectUris = form.redirectUris.split(/\s+/).filter((u) => u !== '');
    if (Object.keys(errors).length > 0)
      return sendPage(reply, 422, newApplicationPage(s.viewer, a.account, a.held, form, errors));
    try {
      const created = await registry(s, a.account).call<ApplicationRow & { clientSecret: string | null }>(
        'POST',
        '/v1/applications',
        {
          name: form.name,
          ...(form.description === '' ? {} : { description: form.description }),
          clientType: form.clientType,
          redirectUris,
          grantTypes: form.grantTypes,
          allowedScopes: form.scopes,
          accessTokenTtlSeconds: minutes * 60,
          refreshTokenTtlSeconds: days * 86_400,
          firstParty: form.firstParty,
        },
      );
      const { clientSecret, ...application } = created;
      return sendPage(reply, 201, secretShownPage(s.viewer, a.account, application, clientSecret, 'Registered'));
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      const byField: Record<string, string> = {};
      for (const [pointer, message] of Object.entries(err.fields)) {
        const name = pointer.startsWith('redirectUris')
          ? 'redirectUris'
          : pointer.startsWith('name')
            ? 'name'
            : pointer.startsWith('grantTypes')
              ? 'grantTypes'
              : pointer.startsWith('allowedScopes')
                ? 'scopes'
                : pointer.startsWith('access')
                  ? 'accessTtl'
                  : pointer.startsWith('refresh')
                    ? 'refreshTtl'
                    : 'form';
        byField[name] ??= message;
      }
      if (Object.keys(byField).length === 0) {
        const code = err.code.toLowerCase();
        const name = code.includes('redirect')
          ? 'redirectUris'
          : code.includes('name')
            ? 'name'
            : code.includes('grant')
              ? 'grantTypes'
              : code.includes('scope')
                ? 'scopes'
                : code.includes('ttl')
                  ? 'accessTtl'
                  : 'form';
        byField[name] = err.detail;
      }
      return sendPage(
        reply,
        err.status >= 500 ? 502 : 422,
        newApplicationPage(s.viewer, a.account, a.held, form, byField),
      );
    }
  });

  async function applicationOf(s: SignedIn, account: string, clientId: string): Promise<ApplicationRow | null> {
    if (!UUID.test(clientId)) return null;
    try {
      return await registry(s, account).call<ApplicationRow>('GET', `/v1/applications/${clientId}`);
    } catch (err) {
      if (err instanceof ApiProblem && (err.status === 404 || err.status === 410)) return null;
      throw err;
    }
  }

  app.get('/settings/applications/:clientId', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const a = await accountOf(s, accountParam(req), reply);
      if (a === null) return reply;
      const application = await applicationOf(s, a.account, (req.params as { clientId: string }).clientId);
      if (application === null)
        return sendPage(
          reply,
          404,
          problemPage('Applications', 'There is no such application in this account.', s.viewer),
        );
      return sendPage(reply, 200, applicationPage(s.viewer, a.account, application));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Applications', wordsOf(err), s.viewer));
    }
  });

  for (const act of ['rotate', 'disable', 'enable', 'delete'] as const) {
    app.post(`/settings/applications/:clientId/${act}`, async (req, reply) => {
      const s = await requirePost(req, reply);
      if (s === null) return reply;
      let shown: ApplicationRow | null = null;
      let account = '';
      try {
        const a = await accountOf(s, accountParam(req), reply);
        if (a === null) return reply;
        account = a.account;
        shown = await applicationOf(s, account, (req.params as { clientId: string }).clientId);
        if (shown === null)
          return sendPage(
            reply,
            404,
            problemPage('Applications', 'There is no such application in this account.', s.viewer),
          );
        const api = registry(s, account);
        const path = `/v1/applications/${shown.clientId}`;
        if (act === 'rotate') {
          const rotated = await api.call<{ clientSecret: string; previousSecretValidUntil: string | null }>(
            'POST',
            `${path}/secret`,
            {},
          );
          const after = { ...shown, previousSecretValidUntil: rotated.previousSecretValidUntil };
          return sendPage(
            reply,
            201,
            secretShownPage(s.viewer, account, after, rotated.clientSecret, 'Secret rotated'),
          );
        }
        if (act === 'delete') await api.call('DELETE', path);
        else await api.call('POST', `${path}/${act}`, act === 'disable' ? {} : undefined);
        return reply.redirect(
          `/settings/applications?account=${account}&done=${act}d`
            .replace('deleted', 'deleted')
            .replace('disabled', 'disabled'),
          303,
        );
      } catch (err) {
        if (shown) return sendPage(reply, statusOf(err), applicationPage(s.viewer, account, shown, wordsOf(err)));
        return sendPage(reply, statusOf(err), problemPage('Applications', wordsOf(err), s.viewer));
      }
    });
  }
}

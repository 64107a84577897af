import type { FastifyInstance } from 'fastify';
import { ApiProblem } from '../api/service-api';
import { problemPage } from '../pages/layout';
import { securityPage, type AuthorizationRow, type LoginSessionRow, type SecurityView } from '../pages/security';
import { sendPage } from './console-server';
import { fields, type Form } from './forms';
import { statusOf, UUID, wordsOf, type ConsoleDeps, type SessionGate, type SignedIn } from './session-gate';

/** My profile → Access & Security: authorized applications, sign-ins, sessions, the password. */
export function registerSecurityRoutes(app: FastifyInstance, deps: ConsoleDeps, gate: SessionGate): void {
  const { requireSignedIn, requirePost } = gate;

  async function viewOf(s: SignedIn, extra: Partial<SecurityView> = {}): Promise<SecurityView> {
    const [grants, sessions] = await Promise.all([
      deps.tokenService.call<{ items: AuthorizationRow[] }>(
        'GET',
        '/v1/me/authorizations?limit=100',
        s.tokens.accessToken,
      ),
      deps.tokenService.call<{ items: LoginSessionRow[] }>('GET', '/v1/me/sessions?limit=100', s.tokens.accessToken),
    ]);
    return {
      applications: grants.items.filter((g) => g.application.clientId !== deps.clientId),
      consoleSignIns: grants.items.filter((g) => g.application.clientId === deps.clientId),
      sessions: sessions.items,
      ...extra,
    };
  }

  const NOTICES: Record<string, string> = {
    revoked: 'Revoked: its tokens no longer work anywhere.',
    ended: 'The session was ended.',
    password: 'Your password was changed.',
  };

  app.get('/security', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    const done = (req.query as Record<string, unknown>).done;
    try {
      const notice = typeof done === 'string' ? NOTICES[done] : undefined;
      return sendPage(reply, 200, securityPage(s.viewer, await viewOf(s, notice ? { notice } : {})));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Access & Security', wordsOf(err), s.viewer));
    }
  });

  app.post('/security/authorizations/:grantId/revoke', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const { grantId } = req.params as { grantId: string };
    if (!UUID.test(grantId))
      return sendPage(
        reply,
        404,
        problemPage('Access & Security', 'There is no such authorization of yours.', s.viewer),
      );
    try {
      await deps.tokenService.call('DELETE', `/v1/me/authorizations/${grantId}`, s.tokens.accessToken);
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Access & Security', wordsOf(err), s.viewer));
    }
    return reply.redirect('/security?done=revoked', 303);
  });

  app.post('/security/sessions/:sessionId/end', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const { sessionId } = req.params as { sessionId: string };
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(sessionId))
      return sendPage(reply, 404, problemPage('Access & Security', 'There is no such session of yours.', s.viewer));
    try {
      await deps.tokenService.call('DELETE', `/v1/me/sessions/${sessionId}`, s.tokens.accessToken);
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Access & Security', wordsOf(err), s.viewer));
    }
    return reply.redirect('/security?done=ended', 303);
  });

  app.post('/security/password', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const body = req.body as Form;
    // passwords are taken as typed (not trimmed)
    const [current, next, repeat] = ['current', 'new', 'repeat'].map((n) => fields(body, n)[0] ?? '');
    const errors: Record<string, string> = {};
    if (current === '') errors.current = 'Enter your current password.';
    if (next.length < 12) errors.new = 'Use at least 12 characters.';
    else if (next !== repeat) errors.repeat = 'The two new passwords differ.';
    if (Object.keys(errors).length === 0) {
      try {
        await deps.identity.call('PUT', '/v1/me/password', s.tokens.accessToken, {
          currentPassword: current,
          newPassword: next,
        });
        return reply.redirect('/security?done=password', 303);
      } catch (err) {
        if (!(err instanceof ApiProblem)) throw err;
        if (err.code === 'current_password_invalid' || err.code === 'locked') errors.current = err.detail;
        else if (err.status === 422 || err.status === 400) errors.new = Object.values(err.fields)[0] ?? err.detail;
        else errors.form = err.detail;
      }
    }
    try {
      return sendPage(reply, 422, securityPage(s.viewer, await viewOf(s, { passwordErrors: errors })));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Access & Security', wordsOf(err), s.viewer));
    }
  });
}

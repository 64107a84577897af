import type { FastifyInstance } from 'fastify';
import { ApiProblem } from '../api/service-api';
import { firstSignInDonePage, firstSignInPage } from '../pages/first-sign-in';
import { homePage } from '../pages/home';
import { problemPage, signInPage } from '../pages/layout';
import { randomToken } from '../sessions/session-store';
import { sendPage } from './console-server';
import { field, fields, safeReturnPath, type Form } from './forms';
import {
  reasonOf,
  SESSION_LIFETIME_MS,
  statusOf,
  wordsOf,
  type ConsoleDeps,
  type MeView,
  type SessionGate,
} from './session-gate';

/** Health, the home page, signing in and out, and the bootstrap administrator's first sign-in. */
export function registerAuthRoutes(app: FastifyInstance, deps: ConsoleDeps, gate: SessionGate): void {
  const { signedIn, requirePost } = gate;

  app.get('/readyz', async (_req, reply) => {
    const ok = await deps.sessions.ping().then(
      () => true,
      () => false,
    );
    return reply
      .status(ok ? 200 : 503)
      .type('application/json')
      .send({ status: ok ? 'ready' : 'database unreachable' });
  });

  app.get('/', async (req, reply) => {
    const s = await signedIn(req);
    return sendPage(reply, 200, s ? homePage(s.viewer) : signInPage());
  });

  // ----- signing in and out ---------------------------------------------------------------

  app.get('/login', async (req, reply) => {
    const codeVerifier = randomToken();
    const returnTo = safeReturnPath((req.query as Record<string, unknown>).return_to);
    const state = await deps.sessions.beginLogin({ codeVerifier, returnTo });
    return reply.redirect(deps.auth.authorizeUrl(state, codeVerifier), 303);
  });

  app.get('/callback', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string) : '');
    const login = await deps.sessions.takeLogin(str('state'));
    if (login === null)
      return sendPage(reply, 400, signInPage('That sign-in expired or was already used. Sign in again.'));
    // RFC 9207: the answer must come from our authorization server
    if (str('iss') !== deps.auth.issuer)
      return sendPage(reply, 400, signInPage('That answer did not come from Latchkey’s sign-in. Sign in again.'));
    if (str('error') !== '')
      return sendPage(
        reply,
        str('error') === 'access_denied' ? 403 : 400,
        signInPage(
          str('error') === 'access_denied'
            ? 'Signing in was cancelled or refused.'
            : `Signing in failed: ${str('error_description') || str('error')}.`,
        ),
      );
    let tokens;
    try {
      tokens = await deps.auth.exchangeCode(str('code'), login.codeVerifier);
    } catch (err) {
      deps.log(`console sign-in failed at the token endpoint (${reasonOf(err)})`);
      return sendPage(reply, 502, signInPage('Signing in failed on our side. Try again in a moment.'));
    }
    let me: MeView;
    try {
      me = await deps.identity.call<MeView>('GET', '/v1/me', tokens.accessToken);
    } catch (err) {
      deps.log(`console sign-in could not read the user (${reasonOf(err)})`);
      await deps.auth.revoke(tokens.refreshToken).catch(() => undefined);
      return sendPage(reply, 502, signInPage('Signing in failed on our side. Try again in a moment.'));
    }
    const label = me.email ? `${me.displayName} (${me.email})` : me.displayName;
    const id = await deps.sessions.create(
      { userId: me.userId, label },
      { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken },
      tokens.accessExpiresAt,
      new Date(Date.now() + SESSION_LIFETIME_MS),
    );
    deps.log(`user ${me.userId} signed in to the console`);
    return reply.header('set-cookie', deps.cookie.set(id)).redirect(login.returnTo, 303);
  });

  app.post('/logout', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    // the grant ends with the session: its tokens stop working everywhere at once
    await deps.auth
      .revoke(s.tokens.refreshToken)
      .catch((err: unknown) =>
        deps.log(`console sign-out of user ${s.session.userId}: revoking its grant failed (${reasonOf(err)})`),
      );
    await deps.sessions.delete(s.session.id);
    deps.log(`user ${s.session.userId} signed out of the console`);
    return reply.header('set-cookie', deps.cookie.clear()).redirect('/', 303);
  });

  // ----- the bootstrap administrator's first sign-in ----------------------------------------

  const CODE = /^[A-Za-z0-9_-]{20,100}$/;

  app.get('/setup', async (req, reply) => {
    const code = (req.query as Record<string, unknown>).code;
    if (typeof code !== 'string' || !CODE.test(code))
      return sendPage(
        reply,
        400,
        problemPage('First sign-in', 'This link is incomplete: open the whole link identity-service printed.'),
      );
    return sendPage(reply, 200, firstSignInPage(code));
  });

  // no session and no CSRF token here: the one-time code is the credential, which another site does not have
  app.post('/setup', async (req, reply) => {
    const body = req.body as Form;
    const code = field(body, 'code');
    const password = fields(body, 'password')[0] ?? '';
    const confirm = fields(body, 'confirm')[0] ?? '';
    if (!CODE.test(code))
      return sendPage(
        reply,
        400,
        problemPage('First sign-in', 'This link is incomplete: open the whole link identity-service printed.'),
      );
    if (password.length < 12)
      return sendPage(reply, 422, firstSignInPage(code, { password: 'Use at least 12 characters.' }));
    if (password !== confirm)
      return sendPage(reply, 422, firstSignInPage(code, { confirm: 'The two passwords differ.' }));
    try {
      await deps.identity.call('POST', '/v1/first-sign-in', null, { code, password });
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 422)
        return sendPage(reply, 422, firstSignInPage(code, { password: Object.values(err.fields)[0] ?? err.detail }));
      return sendPage(reply, statusOf(err), firstSignInPage(code, { form: wordsOf(err) }));
    }
    deps.log('the bootstrap administrator chose a first password');
    return sendPage(reply, 200, firstSignInDonePage());
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblem, type ServiceApi } from '../api/service-api';
import { AuthorizationError, type AuthorizationClient } from '../oauth/authorization-client';
import { firstSignInDonePage, firstSignInPage } from '../pages/first-sign-in';
import { homePage } from '../pages/home';
import { problemPage, signInPage, type Viewer } from '../pages/layout';
import {
  matchesFilter,
  newTokenPage,
  revokeTokenPage,
  TOKEN_FILTERS,
  tokenCreatedPage,
  tokensPage,
  type AccountChoice,
  type NewTokenForm,
  type PatRow,
  type TokenFilter,
} from '../pages/tokens';
import type { CsrfTokens } from '../security/csrf';
import type { SessionCookie } from '../sessions/session-cookie';
import { randomToken, type Session, type SessionStore, type SessionTokens } from '../sessions/session-store';
import { sendPage } from './console-server';
import { field, fields, safeReturnPath, type Form } from './forms';

export interface ConsoleDeps {
  sessions: SessionStore;
  auth: AuthorizationClient;
  tokenService: ServiceApi;
  identity: ServiceApi;
  csrf: CsrfTokens;
  cookie: SessionCookie;
  /** Never given a token, a code or a secret: ids and outcomes only. */
  log: (message: string) => void;
}

/** A console session lasts as long as its refresh token may (the registration's default, two weeks). */
const SESSION_LIFETIME_MS = 14 * 86_400_000;
/** Refresh the access token when it has less than this left. */
const REFRESH_SKEW_MS = 60_000;

interface SignedIn {
  session: Session;
  tokens: SessionTokens;
  viewer: Viewer;
}

interface MeView {
  userId: string;
  email: string | null;
  displayName: string;
  memberships: Array<{ accountId: string; permissions: string[] }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  /** The request's session with fresh tokens, or null (no cookie, ended, or its refresh was refused). */
  async function signedIn(req: FastifyRequest): Promise<SignedIn | null> {
    const id = deps.cookie.read(req.headers.cookie);
    if (id === null) return null;
    const session = await deps.sessions.find(id);
    if (!session) return null;
    try {
      const tokens = await deps.sessions.freshTokens(session, REFRESH_SKEW_MS, (rt) => deps.auth.refresh(rt));
      return { session, tokens, viewer: { label: session.userLabel, csrf: deps.csrf.tokenFor(id) } };
    } catch (err) {
      // the grant was revoked (e.g. from Access & Security) or expired: the session ends here
      deps.log(`console session of user ${session.userId} ended: its refresh was refused (${reasonOf(err)})`);
      await deps.sessions.delete(id);
      return null;
    }
  }

  /** The session, or a redirect to sign in (and back here afterwards). */
  async function requireSignedIn(req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
    const s = await signedIn(req);
    if (s === null) void reply.redirect(`/login?return_to=${encodeURIComponent(req.url)}`, 303);
    return s;
  }

  /** For a POST: the session and a CSRF token that belongs to it, or a page saying what to do. */
  async function requirePost(req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
    const s = await requireSignedIn(req, reply);
    if (s === null) return null;
    if (!deps.csrf.verify(s.session.id, field(req.body as Form, 'csrf'))) {
      sendPage(
        reply,
        403,
        problemPage(
          'Form expired',
          'This form is no longer valid (it came from another session or was changed). Reload the page and try again.',
          s.viewer,
        ),
      );
      return null;
    }
    return s;
  }

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
    if (str('iss') !== '' && str('iss') !== deps.auth.issuer)
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

  // ----- My profile → Personal access tokens ------------------------------------------------

  app.get('/tokens', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    const q = req.query as Record<string, unknown>;
    const filter = (TOKEN_FILTERS.some((f) => f.key === q.status) ? q.status : 'all') as TokenFilter;
    const after = typeof q.after === 'string' && /^[A-Za-z0-9_-]{1,500}$/.test(q.after) ? q.after : null;
    try {
      const pageOf = await deps.tokenService.call<{ items: PatRow[]; nextCursor: string | null }>(
        'GET',
        `/v1/personal-access-tokens?limit=50${after ? `&after=${after}` : ''}`,
        s.tokens.accessToken,
      );
      const now = Date.now();
      const notice = q.revoked === '1' ? 'The token was revoked; it no longer works anywhere.' : undefined;
      return sendPage(
        reply,
        200,
        tokensPage(
          s.viewer,
          pageOf.items.filter((p) => matchesFilter(p, filter, now)),
          filter,
          pageOf.nextCursor,
          notice,
        ),
      );
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Personal access tokens', wordsOf(err), s.viewer));
    }
  });

  /** The user's accounts with what they hold there and each account's token policy. */
  async function accountsOf(s: SignedIn): Promise<AccountChoice[]> {
    const me = await deps.identity.call<MeView>('GET', '/v1/me', s.tokens.accessToken);
    return Promise.all(
      me.memberships.map(async (m) => {
        const policy = await deps.tokenService
          .call<{ maxLifetimeDays: number | null }>(
            'GET',
            `/v1/accounts/${m.accountId}/token-policy`,
            s.tokens.accessToken,
          )
          .catch(() => ({ maxLifetimeDays: null }));
        return { id: m.accountId, permissions: m.permissions, maxLifetimeDays: policy.maxLifetimeDays };
      }),
    );
  }

  const EMPTY_FORM: NewTokenForm = { name: '', description: '', expiry: '30', expiresOn: '', accounts: [], scopes: [] };

  app.get('/tokens/new', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const accounts = await accountsOf(s);
      const form = { ...EMPTY_FORM, accounts: accounts.length === 1 ? [accounts[0].id] : [] };
      return sendPage(reply, 200, newTokenPage(s.viewer, accounts, form));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Generate new token', wordsOf(err), s.viewer));
    }
  });

  app.post('/tokens', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const body = req.body as Form;
    const form: NewTokenForm = {
      name: field(body, 'name'),
      description: field(body, 'description'),
      expiry: field(body, 'expiry') || '30',
      expiresOn: field(body, 'expiresOn'),
      accounts: fields(body, 'account').filter((a) => UUID.test(a)),
      scopes: fields(body, 'scope'),
    };
    const errors: Record<string, string> = {};
    if (form.name === '') errors.name = 'Give the token a name, e.g. what will use it.';
    if (form.accounts.length === 0) errors.accounts = 'Choose at least one account the token acts in.';
    if (form.scopes.length === 0) errors.scopes = 'Tick at least one record type and action.';
    const expiry = expiryOf(form);
    if ('error' in expiry) errors.expiry = expiry.error;
    let accounts: AccountChoice[] = [];
    try {
      accounts = await accountsOf(s);
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Generate new token', wordsOf(err), s.viewer));
    }
    if (Object.keys(errors).length > 0 || 'error' in expiry)
      return sendPage(reply, 422, newTokenPage(s.viewer, accounts, form, errors));
    try {
      const created = await deps.tokenService.call<PatRow & { token: string }>(
        'POST',
        '/v1/personal-access-tokens',
        s.tokens.accessToken,
        {
          name: form.name,
          ...(form.description === '' ? {} : { description: form.description }),
          scopes: form.scopes,
          accountIds: form.accounts,
          ...expiry.body,
        },
      );
      const { token, ...pat } = created;
      return sendPage(reply, 201, tokenCreatedPage(s.viewer, pat, token));
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      // the service's words next to the field they concern; the rest at the top of the form
      const byField: Record<string, string> = {};
      for (const [pointer, message] of Object.entries(err.fields)) {
        const name = pointer.startsWith('name')
          ? 'name'
          : pointer.startsWith('description')
            ? 'description'
            : pointer.startsWith('scopes')
              ? 'scopes'
              : pointer.startsWith('accountIds')
                ? 'accounts'
                : pointer.startsWith('expires')
                  ? 'expiry'
                  : 'form';
        byField[name] ??= message;
      }
      if (Object.keys(byField).length === 0) byField[fieldOfCode(err.code)] = err.detail;
      return sendPage(reply, err.status >= 500 ? 502 : 422, newTokenPage(s.viewer, accounts, form, byField));
    }
  });

  /** The user's PAT, or null when it is not theirs or not there. */
  async function patOf(s: SignedIn, id: string): Promise<PatRow | null> {
    if (!UUID.test(id)) return null;
    try {
      return await deps.tokenService.call<PatRow>('GET', `/v1/personal-access-tokens/${id}`, s.tokens.accessToken);
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 404) return null;
      throw err;
    }
  }

  app.get('/tokens/:id/revoke', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    const pat = await patOf(s, (req.params as { id: string }).id);
    if (pat === null)
      return sendPage(reply, 404, problemPage('Revoke token', 'There is no such token of yours.', s.viewer));
    return sendPage(reply, 200, revokeTokenPage(s.viewer, pat));
  });

  app.post('/tokens/:id/revoke', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const pat = await patOf(s, (req.params as { id: string }).id);
    if (pat === null)
      return sendPage(reply, 404, problemPage('Revoke token', 'There is no such token of yours.', s.viewer));
    try {
      await deps.tokenService.call('DELETE', `/v1/personal-access-tokens/${pat.id}`, s.tokens.accessToken);
    } catch (err) {
      return sendPage(reply, statusOf(err), revokeTokenPage(s.viewer, pat, wordsOf(err)));
    }
    return reply.redirect('/tokens?revoked=1', 303);
  });
}

/** The expiry the API takes from the form's choice, or what is wrong with it. */
function expiryOf(form: NewTokenForm): { body: Record<string, unknown> } | { error: string } {
  if (form.expiry === 'never') return { body: { expiresAt: null } };
  if (form.expiry === 'date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(form.expiresOn)) return { error: 'Choose the date the token expires.' };
    const at = new Date(`${form.expiresOn}T23:59:59Z`);
    if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) return { error: 'The date must be in the future.' };
    return { body: { expiresAt: at.toISOString() } };
  }
  const days = Number(form.expiry);
  if (![7, 30, 60, 90].includes(days)) return { error: 'Choose when the token expires.' };
  return { body: { expiresInDays: days } };
}

function fieldOfCode(code: string): string {
  if (/name/i.test(code)) return 'name';
  if (/lifetime|expir/i.test(code)) return 'expiry';
  if (/scope/i.test(code)) return 'scopes';
  if (/account/i.test(code)) return 'accounts';
  return 'form';
}

function statusOf(err: unknown): number {
  return err instanceof ApiProblem ? (err.status >= 500 ? 502 : err.status) : 500;
}

function wordsOf(err: unknown): string {
  return err instanceof ApiProblem ? err.detail : 'Something went wrong on our side.';
}

/** What a failure was, for a log line: a code, never a token. */
function reasonOf(err: unknown): string {
  if (err instanceof AuthorizationError) return err.error;
  if (err instanceof ApiProblem) return `${err.status} ${err.code}`;
  return err instanceof Error ? err.name : 'unknown';
}

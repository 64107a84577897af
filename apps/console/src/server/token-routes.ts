import type { FastifyInstance } from 'fastify';
import { ApiProblem } from '../api/service-api';
import { problemPage } from '../pages/layout';
import {
  matchesFilter,
  newTokenPage,
  revokeTokenPage,
  TOKEN_FILTERS,
  tokenCreatedPage,
  tokenPage,
  tokensPage,
  type AccountChoice,
  type NewTokenForm,
  type PatEventRow,
  type PatRow,
  type TokenFilter,
} from '../pages/tokens';
import { sendPage } from './console-server';
import { cursorParam, field, fields, type Form } from './forms';
import {
  statusOf,
  UUID,
  wordsOf,
  type ConsoleDeps,
  type MeView,
  type SessionGate,
  type SignedIn,
} from './session-gate';

/** My profile → Personal access tokens: list, generate (shown once), revoke. */
export function registerTokenRoutes(app: FastifyInstance, deps: ConsoleDeps, gate: SessionGate): void {
  const { requireSignedIn, requirePost } = gate;
  // ----- My profile → Personal access tokens ------------------------------------------------

  app.get('/tokens', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    const q = req.query as Record<string, unknown>;
    const filter = (TOKEN_FILTERS.some((f) => f.key === q.status) ? q.status : 'all') as TokenFilter;
    const after = cursorParam(req);
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
    const form = readTokenForm(req.body as Form);
    const checked = checkTokenForm(form);
    let accounts: AccountChoice[] = [];
    try {
      accounts = await accountsOf(s);
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Generate new token', wordsOf(err), s.viewer));
    }
    if ('errors' in checked) return sendPage(reply, 422, newTokenPage(s.viewer, accounts, form, checked.errors));
    try {
      const created = await deps.tokenService.call<PatRow & { token: string }>(
        'POST',
        '/v1/personal-access-tokens',
        s.tokens.accessToken,
        { ...checked.body, accountIds: form.accounts },
      );
      const { token, ...pat } = created;
      return sendPage(reply, 201, tokenCreatedPage(s.viewer, pat, token));
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      return sendPage(
        reply,
        err.status >= 500 ? 502 : 422,
        newTokenPage(s.viewer, accounts, form, tokenFormErrors(err)),
      );
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

  app.get('/tokens/:id', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const pat = await patOf(s, (req.params as { id: string }).id);
      if (pat === null) return sendPage(reply, 404, problemPage('Token', 'There is no such token of yours.', s.viewer));
      const history = await deps.tokenService.call<{ items: PatEventRow[] }>(
        'GET',
        `/v1/personal-access-tokens/${pat.id}/events`,
        s.tokens.accessToken,
      );
      return sendPage(reply, 200, tokenPage(s.viewer, pat, history.items));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Token', wordsOf(err), s.viewer));
    }
  });

  // a regeneration is a creation (decided with today's permissions and policy): the new token is shown once
  app.post('/tokens/:id/regenerate', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const pat = await patOf(s, (req.params as { id: string }).id).catch(() => null);
    if (pat === null) return sendPage(reply, 404, problemPage('Token', 'There is no such token of yours.', s.viewer));
    try {
      const created = await deps.tokenService.call<PatRow & { token: string }>(
        'POST',
        `/v1/personal-access-tokens/${pat.id}/regenerate`,
        s.tokens.accessToken,
        {},
      );
      const { token, ...fresh } = created;
      return sendPage(reply, 201, tokenCreatedPage(s.viewer, fresh, token));
    } catch (err) {
      return sendPage(reply, statusOf(err), tokenPage(s.viewer, pat, [], wordsOf(err)));
    }
  });

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

/** The generate-token form as posted (own tokens and an administrator's for a user alike). */
export function readTokenForm(body: Form): NewTokenForm {
  return {
    name: field(body, 'name'),
    description: field(body, 'description'),
    expiry: field(body, 'expiry') || '30',
    expiresOn: field(body, 'expiresOn'),
    accounts: fields(body, 'account').filter((a) => UUID.test(a)),
    scopes: fields(body, 'scope'),
  };
}

/** What is wrong with the form, field by field; or the API body it makes (without the accounts). */
export function checkTokenForm(
  form: NewTokenForm,
): { errors: Record<string, string> } | { body: Record<string, unknown> } {
  const errors: Record<string, string> = {};
  if (form.name === '') errors.name = 'Give the token a name, e.g. what will use it.';
  if (form.accounts.length === 0) errors.accounts = 'Choose at least one account the token acts in.';
  if (form.scopes.length === 0) errors.scopes = 'Tick at least one record type and action.';
  const expiry = expiryOf(form);
  if ('error' in expiry) errors.expiry = expiry.error;
  if (Object.keys(errors).length > 0 || 'error' in expiry) return { errors };
  return {
    body: {
      name: form.name,
      ...(form.description === '' ? {} : { description: form.description }),
      scopes: form.scopes,
      ...expiry.body,
    },
  };
}

/** token-service's refusal in words, next to the field it concerns; the rest at the top of the form. */
export function tokenFormErrors(err: ApiProblem): Record<string, string> {
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
  return byField;
}

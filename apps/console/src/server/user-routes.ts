import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiProblem } from '../api/service-api';
import { problemPage } from '../pages/layout';
import { newTokenPage, tokenCreatedPage, type AccountChoice, type NewTokenForm, type PatRow } from '../pages/tokens';
import { newUserPage, userPage, usersPage, type NewUserForm, type RoleRow, type UserRow } from '../pages/users';
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
import { checkTokenForm, readTokenForm, tokenFormErrors } from './token-routes';

/** Users (administrators): members with search, register, roles, deactivate/reactivate, passwords, their tokens. */
export function registerUserRoutes(app: FastifyInstance, deps: ConsoleDeps, gate: SessionGate): void {
  const { requireSignedIn, requirePost } = gate;

  /** The account asked for among those where the person may read users (or the first), or a page saying none. */
  const accountOf = async (s: SignedIn, raw: unknown, reply: FastifyReply) =>
    (await chooseAccount(deps, s, raw, reply, 'users:read', { title: 'Users', none: 'You manage no account’s users.' }))
      ?.account ?? null;
  const accountParam = (req: { query: unknown }) => (req.query as Record<string, unknown>).account;
  const identity =
    (s: SignedIn) =>
    <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) =>
      deps.identity.call<T>(method, path, s.tokens.accessToken, body);
  const roles = async (s: SignedIn) => (await identity(s)<{ items: RoleRow[] }>('GET', '/v1/roles')).items;

  app.get('/users', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const account = await accountOf(s, accountParam(req), reply);
      if (account === null) return reply;
      const q =
        typeof (req.query as Record<string, unknown>).q === 'string' ? (req.query as { q: string }).q.trim() : '';
      type UserPage = { items: UserRow[]; nextCursor: string | null };
      const pageOf = (after: string | null) =>
        identity(s)<UserPage>('GET', `/v1/accounts/${account}/users?limit=50${after ? `&after=${after}` : ''}`);
      if (q === '') {
        const one = await pageOf(cursorParam(req));
        return sendPage(reply, 200, usersPage(s.viewer, account, one.items, q, undefined, one.nextCursor));
      }
      // a search reads the members page by page (up to 20 pages of 50) and shows those that match
      const needle = q.toLowerCase();
      const shown: UserRow[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const one: UserPage = await pageOf(cursor);
        shown.push(
          ...one.items.filter(
            (u) => u.displayName.toLowerCase().includes(needle) || (u.email ?? '').toLowerCase().includes(needle),
          ),
        );
        cursor = one.nextCursor;
        if (cursor === null) break;
      }
      return sendPage(reply, 200, usersPage(s.viewer, account, shown, q));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Users', wordsOf(err), s.viewer));
    }
  });

  app.get('/users/new', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const account = await accountOf(s, accountParam(req), reply);
      if (account === null) return reply;
      const form: NewUserForm = { kind: 'human', displayName: '', email: '', roles: [] };
      return sendPage(reply, 200, newUserPage(s.viewer, account, await roles(s), form));
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Register a user', wordsOf(err), s.viewer));
    }
  });

  app.post('/users', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const body = req.body as Form;
    const kind = (['human', 'api', 'contact'] as const).find((k) => k === field(body, 'kind')) ?? 'human';
    const form: NewUserForm = {
      kind,
      displayName: field(body, 'displayName'),
      email: field(body, 'email'),
      roles: fields(body, 'role'),
    };
    try {
      const account = await accountOf(s, accountParam(req), reply);
      if (account === null) return reply;
      const errors: Record<string, string> = {};
      if (form.displayName === '') errors.displayName = 'Give the user a name.';
      if (form.kind !== 'api' && form.email === '')
        errors.email = 'People and contacts need an e-mail to sign in with.';
      if (form.roles.length === 0) errors.roles = 'Choose at least one role.';
      if (Object.keys(errors).length > 0)
        return sendPage(reply, 422, newUserPage(s.viewer, account, await roles(s), form, errors));
      try {
        const created = await identity(s)<UserRow>('POST', `/v1/accounts/${account}/users`, {
          kind: form.kind,
          displayName: form.displayName,
          ...(form.email === '' ? {} : { email: form.email }),
          roles: form.roles,
        });
        return reply.redirect(`/users/${created.userId}?account=${account}&done=registered`, 303);
      } catch (err) {
        if (!(err instanceof ApiProblem) || err.status >= 500) throw err;
        const where =
          /email/i.test(err.code) || err.fields.email
            ? 'email'
            : /role/i.test(err.code)
              ? 'roles'
              : /name/i.test(err.code)
                ? 'displayName'
                : 'form';
        return sendPage(reply, 422, newUserPage(s.viewer, account, await roles(s), form, { [where]: err.detail }));
      }
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Register a user', wordsOf(err), s.viewer));
    }
  });

  async function userView(
    s: SignedIn,
    account: string,
    userId: string,
  ): Promise<{ user: UserRow; tokens: PatRow[] } | null> {
    if (!UUID.test(userId)) return null;
    try {
      const user = await identity(s)<UserRow>('GET', `/v1/accounts/${account}/users/${userId}`);
      const all = await deps.tokenService.call<{ items: Array<PatRow & { userId: string }> }>(
        'GET',
        `/v1/accounts/${account}/personal-access-tokens?limit=100`,
        s.tokens.accessToken,
      );
      return { user, tokens: all.items.filter((t) => t.userId === userId) };
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 404) return null;
      throw err;
    }
  }

  const NOTICES: Record<string, string> = {
    registered: 'The user is registered.',
    roles: 'The roles are saved; their tokens follow at once.',
    deactivated: 'The user is deactivated: every token of theirs stopped working.',
    reactivated: 'The user is active again (revoked tokens stay revoked).',
    password: 'The password is set.',
    revoked: 'The token is revoked.',
  };

  async function showUser(
    s: SignedIn,
    reply: FastifyReply,
    account: string,
    userId: string,
    status = 200,
    notice?: string,
    errors: Record<string, string> = {},
  ) {
    const v = await userView(s, account, userId);
    if (v === null)
      return sendPage(reply, 404, problemPage('Users', 'There is no such user in this account.', s.viewer));
    return sendPage(reply, status, userPage(s.viewer, account, v.user, await roles(s), v.tokens, notice, errors));
  }

  app.get('/users/:userId', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const account = await accountOf(s, accountParam(req), reply);
      if (account === null) return reply;
      const done = (req.query as Record<string, unknown>).done;
      return await showUser(
        s,
        reply,
        account,
        (req.params as { userId: string }).userId,
        200,
        typeof done === 'string' ? NOTICES[done] : undefined,
      );
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Users', wordsOf(err), s.viewer));
    }
  });

  /** A POST on a user: `act` calls the API; afterwards the user's page with a notice, or the refusal in words. */
  function userAction(
    path: string,
    done: string,
    act: (s: SignedIn, account: string, userId: string, body: Form) => Promise<unknown>,
    field?: string,
  ) {
    app.post(`/users/:userId/${path}`, async (req, reply) => {
      const s = await requirePost(req, reply);
      if (s === null) return reply;
      const { userId } = req.params as { userId: string };
      try {
        const account = await accountOf(s, accountParam(req), reply);
        if (account === null) return reply;
        if (!UUID.test(userId))
          return sendPage(reply, 404, problemPage('Users', 'There is no such user in this account.', s.viewer));
        try {
          await act(s, account, userId, req.body as Form);
        } catch (err) {
          if (!(err instanceof ApiProblem) || err.status >= 500) throw err;
          return await showUser(s, reply, account, userId, 422, undefined, {
            [field ?? 'form']: Object.values(err.fields)[0] ?? err.detail,
          });
        }
        return reply.redirect(`/users/${userId}?account=${account}&done=${done}`, 303);
      } catch (err) {
        return sendPage(reply, statusOf(err), problemPage('Users', wordsOf(err), s.viewer));
      }
    });
  }

  userAction(
    'roles',
    'roles',
    (s, a, u, body) => identity(s)('PUT', `/v1/accounts/${a}/users/${u}/roles`, { roles: fields(body, 'role') }),
    'roles',
  );
  userAction('deactivate', 'deactivated', (s, a, u, body) =>
    identity(s)('POST', `/v1/accounts/${a}/users/${u}/deactivate`, {
      reason: field(body, 'reason') || 'Deactivated in the console',
    }),
  );
  userAction('reactivate', 'reactivated', (s, a, u) =>
    identity(s)('POST', `/v1/accounts/${a}/users/${u}/reactivate`, {}),
  );
  userAction(
    'password',
    'password',
    (s, a, u, body) =>
      identity(s)('PUT', `/v1/accounts/${a}/users/${u}/password`, { password: fields(body, 'password')[0] ?? '' }),
    'password',
  );

  app.post('/users/:userId/tokens/:id/revoke', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    const { userId, id } = req.params as { userId: string; id: string };
    try {
      const account = await accountOf(s, accountParam(req), reply);
      if (account === null) return reply;
      if (!UUID.test(id) || !UUID.test(userId))
        return sendPage(reply, 404, problemPage('Users', 'There is no such token.', s.viewer));
      await deps.tokenService.call(
        'DELETE',
        `/v1/accounts/${account}/personal-access-tokens/${id}`,
        s.tokens.accessToken,
      );
      return reply.redirect(`/users/${userId}?account=${account}&done=revoked`, 303);
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Users', wordsOf(err), s.viewer));
    }
  });

  // ----- Generate token for this user (api users and contacts included) -----------------------

  async function tokenChoice(s: SignedIn, account: string, user: UserRow): Promise<AccountChoice[]> {
    const policy = await deps.tokenService
      .call<{ maxLifetimeDays: number | null }>('GET', `/v1/accounts/${account}/token-policy`, s.tokens.accessToken)
      .catch(() => ({ maxLifetimeDays: null }));
    const permissions = user.memberships.find((m) => m.accountId === account)?.permissions ?? [];
    return [{ id: account, permissions, maxLifetimeDays: policy.maxLifetimeDays }];
  }
  const targetOf = (account: string, user: UserRow) => ({
    heading: `Generate a token for ${user.displayName}`,
    action: `/users/${user.userId}/tokens?account=${account}`,
    cancel: `/users/${user.userId}?account=${account}`,
    whose: `${user.displayName} does`,
  });

  app.get('/users/:userId/tokens/new', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const account = await accountOf(s, accountParam(req), reply);
      if (account === null) return reply;
      const v = await userView(s, account, (req.params as { userId: string }).userId);
      if (v === null)
        return sendPage(reply, 404, problemPage('Users', 'There is no such user in this account.', s.viewer));
      const form: NewTokenForm = {
        name: '',
        description: '',
        expiry: '30',
        expiresOn: '',
        accounts: [account],
        scopes: [],
      };
      return sendPage(
        reply,
        200,
        newTokenPage(s.viewer, await tokenChoice(s, account, v.user), form, {}, targetOf(account, v.user)),
      );
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Generate a token', wordsOf(err), s.viewer));
    }
  });

  app.post('/users/:userId/tokens', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    try {
      const account = await accountOf(s, accountParam(req), reply);
      if (account === null) return reply;
      const v = await userView(s, account, (req.params as { userId: string }).userId);
      if (v === null)
        return sendPage(reply, 404, problemPage('Users', 'There is no such user in this account.', s.viewer));
      const form = { ...readTokenForm(req.body as Form), accounts: [account] };
      const choice = await tokenChoice(s, account, v.user);
      const checked = checkTokenForm(form);
      if ('errors' in checked)
        return sendPage(reply, 422, newTokenPage(s.viewer, choice, form, checked.errors, targetOf(account, v.user)));
      try {
        const created = await deps.tokenService.call<PatRow & { token: string }>(
          'POST',
          `/v1/accounts/${account}/users/${v.user.userId}/personal-access-tokens`,
          s.tokens.accessToken,
          { ...checked.body, accountIds: [account] },
        );
        const { token, ...pat } = created;
        return sendPage(
          reply,
          201,
          tokenCreatedPage(s.viewer, pat, token, {
            href: `/users/${v.user.userId}?account=${account}`,
            label: `Back to ${v.user.displayName}`,
          }),
        );
      } catch (err) {
        if (!(err instanceof ApiProblem) || err.status >= 500) throw err;
        return sendPage(
          reply,
          422,
          newTokenPage(s.viewer, choice, form, tokenFormErrors(err), targetOf(account, v.user)),
        );
      }
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Generate a token', wordsOf(err), s.viewer));
    }
  });
}

import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiProblem } from '../api/service-api';
import { accountSettingsPage, type TokenPolicyRow } from '../pages/account-settings';
import { problemPage } from '../pages/layout';
import { sendPage } from './console-server';
import { field, fields, type Form } from './forms';
import { statusOf, wordsOf, type ConsoleDeps, type SessionGate, type SignedIn, chooseAccount } from './session-gate';

/** Account settings (administrators): the account's token policy. */
export function registerAccountRoutes(app: FastifyInstance, deps: ConsoleDeps, gate: SessionGate): void {
  const { requireSignedIn, requirePost } = gate;

  const accountOf = async (s: SignedIn, raw: unknown, reply: FastifyReply) =>
    (
      await chooseAccount(deps, s, raw, reply, 'account_tokens:update', {
        title: 'Account settings',
        none: 'You administer no account’s token policy.',
      })
    )?.account ?? null;
  const recordTypes = async (s: SignedIn) =>
    (await deps.identity.call<{ recordTypes: string[] }>('GET', '/v1/roles', s.tokens.accessToken)).recordTypes;
  const policyOf = (s: SignedIn, account: string) =>
    deps.tokenService.call<TokenPolicyRow>('GET', `/v1/accounts/${account}/token-policy`, s.tokens.accessToken);

  app.get('/settings/account', async (req, reply) => {
    const s = await requireSignedIn(req, reply);
    if (s === null) return reply;
    try {
      const account = await accountOf(s, (req.query as Record<string, unknown>).account, reply);
      if (account === null) return reply;
      const saved = (req.query as Record<string, unknown>).done === 'saved' ? 'The policy is saved.' : undefined;
      return sendPage(
        reply,
        200,
        accountSettingsPage(s.viewer, await policyOf(s, account), await recordTypes(s), saved),
      );
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Account settings', wordsOf(err), s.viewer));
    }
  });

  app.post('/settings/account', async (req, reply) => {
    const s = await requirePost(req, reply);
    if (s === null) return reply;
    try {
      const account = await accountOf(s, (req.query as Record<string, unknown>).account, reply);
      if (account === null) return reply;
      const body = req.body as Form;
      const raw = field(body, 'maxLifetimeDays');
      const days = raw === '' ? null : Number(raw);
      const policy: TokenPolicyRow = {
        accountId: account,
        whoMayCreate: field(body, 'whoMayCreate') === 'administrators' ? 'administrators' : 'everyone',
        maxLifetimeDays: days,
        contactScopes: fields(body, 'contactScope'),
      };
      const types = await recordTypes(s);
      if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650))
        return sendPage(
          reply,
          422,
          accountSettingsPage(s.viewer, policy, types, undefined, {
            maxLifetimeDays: 'A whole number of days from 1 to 3650, or empty.',
          }),
        );
      try {
        await deps.tokenService.call('PUT', `/v1/accounts/${account}/token-policy`, s.tokens.accessToken, {
          whoMayCreate: policy.whoMayCreate,
          maxLifetimeDays: policy.maxLifetimeDays,
          contactScopes: policy.contactScopes,
        });
      } catch (err) {
        if (!(err instanceof ApiProblem) || err.status >= 500) throw err;
        return sendPage(reply, 422, accountSettingsPage(s.viewer, policy, types, undefined, { form: err.detail }));
      }
      return reply.redirect(`/settings/account?account=${account}&done=saved`, 303);
    } catch (err) {
      return sendPage(reply, statusOf(err), problemPage('Account settings', wordsOf(err), s.viewer));
    }
  });
}

import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { captureOutput, readTopic } from '@latchkey/testing';
import { hashSecret } from '@latchkey/token-format';
import { asText, databaseText } from './testing/secret-scan';
import { INTERNAL_TOKEN, TokenHarness } from './testing/token-harness';

const MEMBER = [
  'orders:create',
  'orders:read',
  'orders:update',
  'orders:delete',
  'personal_access_tokens:create',
  'personal_access_tokens:read',
  'personal_access_tokens:delete',
];
const ADMIN = [
  ...MEMBER,
  'personal_access_tokens:update',
  'accounts:update',
  'users:read',
  'account_tokens:create',
  'account_tokens:read',
  'account_tokens:update',
  'account_tokens:delete',
];

/**
 * No raw token in any event, log line, database row or list response: each personal access
 * token appears in exactly one HTTP response body (the creation or regeneration that made it)
 * and nowhere else. Logging is fully on (debug) while every use case runs.
 */
describe('token-service shows a personal access token once and keeps it nowhere', () => {
  const h = new TokenHarness();
  const output = captureOutput();
  const lines = output.lines;
  beforeAll(async () => {
    Logger.overrideLogger(output.logger);
    await h.startService({ LOG_LEVEL: 'debug' }, {}, output.logger);
  }, 120_000);
  afterAll(async () => {
    output.restore();
    Logger.overrideLogger(false);
    await h.stopService();
  });

  it('scans every table, the tokens topic, the logs and every other response', async () => {
    const account = randomUUID();
    const adaId = await h.user('human', { [account]: MEMBER });
    const adminId = await h.user('human', { [account]: ADMIN });
    const robotId = await h.user('api', { [account]: ['orders:read', 'orders:update'] });
    const contactId = await h.user('contact', { [account]: ['orders:read', 'orders:update'] });
    const ada = { authorization: `Bearer ${await h.tokenFor(adaId, [account], MEMBER)}` };
    const admin = { authorization: `Bearer ${await h.tokenFor(adminId, [account], ADMIN)}` };
    const minted = 2; // TokenIssued events the harness put on the tokens topic for the two bearers

    const bodies: string[] = [];
    const call = async (req: Parameters<typeof h.app.inject>[0], app = h.app) => {
      const res = await app.inject(req as never);
      bodies.push(res.body + JSON.stringify(res.headers));
      return res;
    };
    const created = async (req: Parameters<typeof h.app.inject>[0]) => {
      const res = await call(req);
      expect([res.statusCode, res.body.slice(0, 200)]).toEqual([201, expect.any(String)]);
      return res.json() as { id: string; token: string };
    };
    const PATS = '/v1/personal-access-tokens';

    expect(
      (
        await call({
          method: 'PUT',
          url: `/v1/accounts/${account}/token-policy`,
          headers: admin,
          payload: { whoMayCreate: 'everyone', maxLifetimeDays: null, contactScopes: ['orders:read'] },
        })
      ).statusCode,
    ).toBe(200);
    await h.waitForOwnEvents();
    const laptop = await created({
      method: 'POST',
      url: PATS,
      headers: ada,
      payload: { name: 'laptop', scopes: ['orders:read'], accountIds: [account] },
    });
    const ci = await created({
      method: 'POST',
      url: PATS,
      headers: ada,
      payload: {
        name: 'ci',
        description: 'pipeline',
        scopes: ['orders:read', 'orders:update'],
        accountIds: [account],
        expiresInDays: 30,
      },
    });
    const own = await created({
      method: 'POST',
      url: PATS,
      headers: admin,
      payload: { name: 'admin’s own', scopes: ['personal_access_tokens:read'], accountIds: [account] },
    });
    const robot = await created({
      method: 'POST',
      url: `/v1/accounts/${account}/users/${robotId}/personal-access-tokens`,
      headers: admin,
      payload: { name: 'robot', scopes: ['orders:update'], expiresInDays: 7 },
    });
    const contact = await created({
      method: 'POST',
      url: `/v1/accounts/${account}/users/${contactId}/personal-access-tokens`,
      headers: admin,
      payload: { name: 'portal', scopes: ['orders:read'], expiresInDays: 7 },
    });
    const ciAgain = await created({ method: 'POST', url: `${PATS}/${ci.id}/regenerate`, headers: ada });
    expect(ciAgain.id).toBe(ci.id);
    const contactAgain = await created({
      method: 'POST',
      url: `/v1/accounts/${account}/personal-access-tokens/${contact.id}/regenerate`,
      headers: admin,
      payload: { expiresInDays: 3 },
    });
    expect(contactAgain.id).toBe(contact.id);
    expect((await call({ method: 'DELETE', url: `${PATS}/${laptop.id}`, headers: ada })).statusCode).toBe(204);
    expect(
      (
        await call({
          method: 'DELETE',
          url: `/v1/accounts/${account}/personal-access-tokens/${robot.id}`,
          headers: admin,
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await call({
          method: 'POST',
          url: PATS,
          headers: ada,
          payload: { name: 'CI', scopes: ['orders:read'], accountIds: [account] },
        })
      ).statusCode,
    ).toBe(409); // name taken
    await h.waitForOwnEvents();

    const secrets = [laptop.token, ci.token, own.token, robot.token, contact.token, ciAgain.token, contactAgain.token];
    expect(secrets.every((s) => /^lk_pat_[A-Za-z0-9]{49}$/.test(s))).toBe(true);
    expect(new Set(secrets).size).toBe(secrets.length);

    // every read: the lists, one token, its history, check (the token in the request body), admin list, introspection
    expect((await call({ method: 'GET', url: PATS, headers: ada })).json().items).toHaveLength(2);
    expect((await call({ method: 'GET', url: `${PATS}?limit=1`, headers: ada })).json().nextCursor).toEqual(
      expect.any(String),
    );
    expect((await call({ method: 'GET', url: `${PATS}/${ci.id}`, headers: ada })).statusCode).toBe(200);
    expect((await call({ method: 'GET', url: `${PATS}/${laptop.id}`, headers: ada })).json().status).toBe('revoked');
    expect(
      (await call({ method: 'GET', url: `${PATS}/${ci.id}/events`, headers: ada }))
        .json()
        .items.map((e: { type: string }) => e.type),
    ).toEqual(['GrantCreated', 'TokenIssued', 'TokenRevoked', 'TokenIssued']);
    expect((await call({ method: 'GET', url: `${PATS}/${laptop.id}/events`, headers: ada })).statusCode).toBe(200);
    for (const secret of secrets)
      expect(
        (await call({ method: 'POST', url: `${PATS}/check`, headers: ada, payload: { token: secret } })).statusCode,
      ).toBe(200);
    expect(
      (await call({ method: 'POST', url: `${PATS}/check`, headers: ada, payload: { token: ciAgain.token } })).json(),
    ).toMatchObject({ active: true, id: ci.id });
    expect(
      (await call({ method: 'POST', url: `${PATS}/check`, headers: admin, payload: { token: ci.token } })).json(),
    ).toMatchObject({ active: false });
    expect((await call({ method: 'GET', url: `${PATS}`, headers: admin })).json().items).toHaveLength(1);
    expect(
      (
        await call({ method: 'GET', url: `/v1/accounts/${account}/personal-access-tokens?limit=200`, headers: admin })
      ).json().items,
    ).toHaveLength(5);
    expect(
      (await call({ method: 'GET', url: `/v1/accounts/${account}/token-policy`, headers: admin })).statusCode,
    ).toBe(200);
    const introspected: Array<{ active: boolean; grant_id?: string }> = [];
    for (const secret of secrets) {
      const res = await call(
        {
          method: 'POST',
          url: '/internal/introspect',
          headers: { authorization: `Bearer ${INTERNAL_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `token_hash=${hashSecret(secret)}`,
        },
        h.internal,
      );
      expect(res.statusCode).toBe(200);
      introspected.push(res.json());
    }
    expect(introspected.map((r) => r.active)).toEqual([false, false, true, false, false, true, true]);
    expect(introspected[5].grant_id).toBe(ci.id);

    // each token appears in exactly one response body: the one that made it
    for (const secret of secrets) expect(bodies.filter((b) => b.includes(secret))).toHaveLength(1);
    const needles = (secret: string) => [secret, secret.slice('lk_pat_'.length), secret.slice(22, 42)];

    const { tables, text: database } = await databaseText(h.ctx.runtime.dataSource);
    expect(tables).toEqual(
      expect.arrayContaining([
        'events',
        'outbox',
        'pats',
        'token_hashes',
        'token_policies',
        'directory_users',
        'user_permissions',
      ]),
    );
    expect(database).toContain(hashSecret(ciAgain.token)); // the scan saw the stored hashes
    const total = Number((await h.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM events'))[0].n);
    const onKafka = (await readTopic(h.kafka, h.topics.tokens, (all) => all.length >= total + minted))
      .map((m) => asText({ key: m.message.key, value: m.value, headers: m.message.headers }))
      .join('\n');
    for (const p of [laptop, ci, own, robot, contact]) expect(onKafka).toContain(p.id); // the scan saw the real events
    const logs = lines.join('\n');
    expect(lines.some((l) => l.includes(`created personal access token ${robot.id} for user ${robotId}`))).toBe(true); // the capture saw request-time logs
    expect(lines.some((l) => l.includes(`regenerated personal access token ${ci.id}`))).toBe(true);
    expect(lines.some((l) => l.includes(`regenerated personal access token ${contact.id} by ${adminId}`))).toBe(true);

    for (const [i, secret] of secrets.entries()) {
      const made = bodies.findIndex((b) => b.includes(secret));
      const others = bodies.filter((_, j) => j !== made).join('\n');
      for (const [where, text] of Object.entries({ database, kafka: onKafka, logs, responses: others })) {
        for (const needle of needles(secret)) {
          if (text.includes(needle))
            throw new Error(`found token #${i} (or part of it: ${needle.length} characters) in ${where}`);
        }
      }
    }
  }, 90_000);
});

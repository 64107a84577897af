import { Logger } from '@nestjs/common';
import { captureOutput, readTopic } from '@latchkey/testing';
import { ADMIN_PASSWORD, IdentityHarness, INTERNAL_TOKEN } from './testing/identity-harness';

/**
 * No password and no password hash in any event (store, outbox, Kafka), log line or API
 * response: every password-bearing use case runs with logging fully on, then everything is
 * scanned for the passwords and for the stored hashes.
 */
describe('identity-service keeps passwords and hashes out of events, logs and responses', () => {
  const h = new IdentityHarness();
  const output = captureOutput();
  const lines = output.lines;
  const bodies: string[] = [];
  beforeAll(async () => {
    Logger.overrideLogger(output.logger);
    await h.startService({ LOG_LEVEL: 'debug' }, {}, output.logger);
  }, 120_000);
  afterAll(async () => {
    output.restore();
    Logger.overrideLogger(false);
    await h.stopService();
  });

  it('scans events, the outbox, Kafka, logs and responses after every password use case', async () => {
    const admin = await h.admin();
    const auth = { authorization: `Bearer ${admin.token}` };
    const passwords = [
      ADMIN_PASSWORD,
      'first password of eve',
      'second password of eve',
      'third password of eve',
      'wrong password of eve',
    ];
    const call = async (req: Parameters<typeof h.app.inject>[0], app = h.app) => {
      const res = await app.inject(req as never);
      bodies.push(res.body, JSON.stringify(res.headers));
      return res;
    };

    const eve = (
      await call({
        method: 'POST',
        url: `/v1/accounts/${admin.accountId}/users`,
        headers: auth,
        payload: {
          kind: 'human',
          email: 'eve@example.com',
          displayName: 'Eve',
          roles: ['member'],
          password: passwords[1],
        },
      })
    ).json();
    expect(
      (
        await call({
          method: 'PUT',
          url: `/v1/accounts/${admin.accountId}/users/${eve.userId}/password`,
          headers: auth,
          payload: { password: passwords[2] },
        })
      ).statusCode,
    ).toBe(204);
    const eveToken = await h.tokenFor(eve.userId, [admin.accountId], ['users:read']);
    expect(
      (
        await call({
          method: 'PUT',
          url: '/v1/me/password',
          headers: { authorization: `Bearer ${eveToken}` },
          payload: { currentPassword: passwords[4], newPassword: passwords[3] },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await call({
          method: 'PUT',
          url: '/v1/me/password',
          headers: { authorization: `Bearer ${eveToken}` },
          payload: { currentPassword: passwords[2], newPassword: passwords[3] },
        })
      ).statusCode,
    ).toBe(204);
    for (const password of [passwords[3], passwords[4]]) {
      await call(
        {
          method: 'POST',
          url: '/internal/login-check',
          headers: { authorization: `Bearer ${INTERNAL_TOKEN}` },
          payload: { email: 'eve@example.com', password },
        },
        h.internal,
      );
    }
    await call({
      method: 'POST',
      url: `/v1/accounts/${admin.accountId}/users`,
      headers: auth,
      payload: { kind: 'human', email: 'short@example.com', displayName: 'S', roles: ['member'], password: 'short pw' },
    });
    await h.waitForOwnEvents();

    const hashes: string[] = (await h.ctx.runtime.dataSource.query('SELECT password_hash FROM credentials')).map(
      (r: { password_hash: string }) => r.password_hash,
    );
    expect(hashes.length).toBe(2); // the admin and Eve
    const needles = [
      ...passwords,
      'short pw',
      ...hashes,
      ...hashes.map((x) => x.split('$').pop() as string),
      '$argon2',
    ];

    const stored = JSON.stringify(await h.ctx.runtime.dataSource.query('SELECT data, metadata FROM events'));
    const outbox = JSON.stringify(await h.ctx.runtime.dataSource.query('SELECT * FROM outbox'));
    const total = Number((await h.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM events'))[0].n);
    const onKafka = (await readTopic(h.kafka, h.topics.identity, (all) => all.length >= total))
      .map((m) => JSON.stringify(m.value) + JSON.stringify(m.message.headers))
      .join('\n');
    const readModels = JSON.stringify(
      await h.ctx.runtime.dataSource.query('SELECT u.*, m.* FROM users u LEFT JOIN memberships m USING (user_id)'),
    );
    const loginAttempts = JSON.stringify(await h.ctx.runtime.dataSource.query('SELECT * FROM login_attempts'));

    expect(lines.some((l) => l.includes(`password set for user ${eve.userId}`))).toBe(true); // the capture saw request-time logs
    for (const [where, text] of Object.entries({
      stored,
      outbox,
      onKafka,
      readModels,
      loginAttempts,
      logs: lines.join('\n'),
      responses: bodies.join('\n'),
    })) {
      for (const needle of needles) {
        if (text.includes(needle)) throw new Error(`found a secret in ${where}`);
      }
    }
    expect(onKafka).toContain('eve@example.com'); // the scan saw the real events
    expect(loginAttempts).not.toContain('eve@example.com');
  }, 60_000);
});

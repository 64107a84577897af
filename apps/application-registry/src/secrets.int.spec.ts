import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { captureOutput, readTopic } from '@latchkey/testing';
import { RegistryHarness } from './testing/registry-harness';

/**
 * Each client secret appears in exactly one HTTP response body (the registration or rotation
 * that made it) and nowhere else: not in events (store, outbox, Kafka), the read model, any
 * table, a log line, or another response. Logging is fully on while it runs.
 */
describe('application-registry shows a client secret once and keeps it nowhere', () => {
  const h = new RegistryHarness();
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

  it('scans responses, events, Kafka, every table and the logs', async () => {
    const account = randomUUID();
    const { token } = await h.adminIn(
      account,
      ['applications:create', 'applications:read', 'applications:update', 'applications:delete', 'orders:read'],
      ['applications:*', 'orders:read'],
    );
    const headers = { authorization: `Bearer ${token}`, 'x-account-id': account };
    const bodies: string[] = [];
    const call = async (req: Parameters<typeof h.app.inject>[0]) => {
      const res = await h.app.inject(req as never);
      bodies.push(res.body + JSON.stringify(res.headers));
      return res;
    };

    const app = (
      await call({
        method: 'POST',
        url: '/v1/applications',
        headers,
        payload: {
          name: 'Scanned',
          clientType: 'confidential',
          redirectUris: ['https://scan.example.com/cb'],
          grantTypes: ['authorization_code', 'client_credentials'],
          allowedScopes: ['orders:read'],
        },
      })
    ).json();
    const rotated = (
      await call({
        method: 'POST',
        url: `/v1/applications/${app.clientId}/secret`,
        headers,
        payload: { overlapSeconds: 60 },
      })
    ).json();
    await call({ method: 'GET', url: `/v1/applications/${app.clientId}`, headers });
    await call({ method: 'GET', url: '/v1/applications', headers });
    await call({
      method: 'PATCH',
      url: `/v1/applications/${app.clientId}`,
      headers,
      payload: { name: 'Scanned again' },
    });
    await call({
      method: 'POST',
      url: `/v1/applications/${app.clientId}/disable`,
      headers,
      payload: { reason: 'scan' },
    });
    await call({
      method: 'POST',
      url: '/v1/applications',
      headers,
      payload: {
        name: 'Bad',
        clientType: 'confidential',
        redirectUris: ['https://x.example.com/#f'],
        grantTypes: ['authorization_code'],
        allowedScopes: [],
      },
    });
    await h.waitForOwnEvents();

    const secrets = [app.clientSecret as string, rotated.clientSecret as string];
    expect(secrets.every((s) => /^lk_cs_/.test(s))).toBe(true);
    for (const secret of secrets) expect(bodies.filter((b) => b.includes(secret))).toHaveLength(1);

    const tables: Array<{ table_name: string }> = await h.ctx.runtime.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const database = (
      await Promise.all(
        tables.map(async ({ table_name }) =>
          JSON.stringify(await h.ctx.runtime.dataSource.query(`SELECT * FROM "${table_name}"`)),
        ),
      )
    ).join('\n');
    const total = Number((await h.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM events'))[0].n);
    const kafka = (await readTopic(h.kafka, h.topics.applications, (all) => all.length >= total))
      .map((m) => JSON.stringify(m.value) + JSON.stringify(m.message.headers))
      .join('\n');
    expect(kafka).toContain(app.clientId); // the scan saw the real events
    expect(lines.some((l) => l.includes(`registered confidential application ${app.clientId}`))).toBe(true); // the capture saw request-time logs
    for (const [where, text] of Object.entries({ database, kafka, logs: lines.join('\n') })) {
      for (const secret of secrets) {
        if (text.includes(secret) || text.includes(secret.slice(6, 30)))
          throw new Error(`found a client secret in ${where}`);
      }
    }
  }, 60_000);
});

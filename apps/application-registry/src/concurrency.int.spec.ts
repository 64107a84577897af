import { randomUUID } from 'node:crypto';
import { RegistryHarness } from './testing/registry-harness';

/**
 * One concurrency strategy for every command (the event store's CommandRunner locks the stream
 * before loading it): concurrent commands on one aggregate queue, never answer 5xx.
 */
describe('application-registry under concurrent commands on one application (real PostgreSQL + Kafka)', () => {
  const h = new RegistryHarness();
  const account = randomUUID();
  let token: string;
  const headers = () => ({ authorization: `Bearer ${token}`, 'x-account-id': account });

  beforeAll(async () => {
    await h.startService();
    token = (
      await h.adminIn(
        account,
        ['applications:create', 'applications:read', 'applications:update', 'orders:read'],
        ['applications:*', 'orders:*'],
      )
    ).token;
  }, 120_000);
  afterAll(() => h.stopService());

  it('32 concurrent updates of one application all succeed (no 5xx), with gap-free versions and the read model at the last update', async () => {
    const registered = await h.app.inject({
      method: 'POST',
      url: '/v1/applications',
      headers: headers(),
      payload: {
        name: 'Contended',
        clientType: 'public',
        redirectUris: ['https://app.example.com/cb'],
        grantTypes: ['authorization_code'],
        allowedScopes: ['orders:read'],
      },
    });
    expect(registered.statusCode).toBe(201);
    const clientId = registered.json().clientId as string;

    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        h.app.inject({
          method: 'PATCH',
          url: `/v1/applications/${clientId}`,
          headers: headers(),
          payload: { name: `Contended ${i}` },
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(32).fill(200));

    const events = (await h.ctx.runtime.dataSource.query(
      'SELECT version, type, data FROM events WHERE stream_id = $1 ORDER BY version',
      [clientId],
    )) as Array<{ version: number; type: string; data: { name?: string } }>;
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
    expect(events.filter((e) => e.type === 'ApplicationUpdated')).toHaveLength(32);
    const current = await h.app.inject({ method: 'GET', url: `/v1/applications/${clientId}`, headers: headers() });
    expect(current.json().name).toBe(events[events.length - 1].data.name);
  }, 60_000);
});

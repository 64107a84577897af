import { CONSOLE_CLIENT_ID } from '@latchkey/contracts';
import { DIRECTORY_ACCOUNT_ID } from '@latchkey/domain';
import { readTopic } from '@latchkey/testing';
import { RegistryHarness } from '../testing/registry-harness';

/** The registry registers Latchkey's console itself, at every start (real PostgreSQL + Kafka). */
describe('the console’s registration', () => {
  const h = new RegistryHarness();

  beforeAll(() => h.startService({ CONSOLE_REDIRECT_URI: 'http://127.0.0.1:3000/callback' }), 120_000);
  afterAll(() => h.stopService());

  const consoleEvents = async (count: number) =>
    (
      await readTopic(
        h.kafka,
        h.topics.applications,
        (msgs) =>
          msgs.filter((m) => (m.value as { aggregateId: string }).aggregateId === CONSOLE_CLIENT_ID).length >= count,
      )
    )
      .map((m) => m.value as { aggregateId: string; type: string; data: Record<string, unknown> })
      .filter((e) => e.aggregateId === CONSOLE_CLIENT_ID);

  it('at start: a public first-party client flagged as the console, owned by the directory account, on Kafka', async () => {
    const [registered] = await consoleEvents(1);
    expect(registered.type).toBe('ApplicationRegistered');
    expect(registered.data).toMatchObject({
      clientId: CONSOLE_CLIENT_ID,
      ownerAccountId: DIRECTORY_ACCOUNT_ID,
      clientType: 'public',
      firstParty: true,
      console: true,
      redirectUris: ['http://127.0.0.1:3000/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    expect(registered.data).not.toHaveProperty('secretHash');
    expect(h.ctx.runtime.verifier.projection.application(CONSOLE_CLIENT_ID)).toMatchObject({ console: true });
  });

  it('again with the same settings (a restart, a second instance): nothing; with another redirect URI: one update', async () => {
    expect(await h.ctx.applications.registerConsole(CONSOLE_CLIENT_ID, 'http://127.0.0.1:3000/callback')).toBe(
      'unchanged',
    );
    expect(await h.ctx.applications.registerConsole(CONSOLE_CLIENT_ID, 'https://console.example.com/callback')).toBe(
      'updated',
    );
    const events = await consoleEvents(2);
    expect(events.map((e) => e.type)).toEqual(['ApplicationRegistered', 'ApplicationUpdated']);
    expect(events[1].data).toEqual({
      clientId: CONSOLE_CLIENT_ID,
      redirectUris: ['https://console.example.com/callback'],
    });
  });

  it('an administrator of the directory may not change or delete it through the API (409 console_managed)', async () => {
    const { token } = await h.adminIn(DIRECTORY_ACCOUNT_ID, [
      'applications:update',
      'applications:delete',
      'applications:read',
    ]);
    const headers = { authorization: `Bearer ${token}`, 'x-account-id': DIRECTORY_ACCOUNT_ID };
    const patch = await h.app.inject({
      method: 'PATCH',
      url: `/v1/applications/${CONSOLE_CLIENT_ID}`,
      headers,
      payload: { name: 'Mine now' },
    });
    expect(patch.statusCode).toBe(409);
    expect(patch.json()).toMatchObject({ code: 'console_managed' });
    const del = await h.app.inject({ method: 'DELETE', url: `/v1/applications/${CONSOLE_CLIENT_ID}`, headers });
    expect(del.statusCode).toBe(409);
    expect(del.json()).toMatchObject({ code: 'console_managed' });
  });
});

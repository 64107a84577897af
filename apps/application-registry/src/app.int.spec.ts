import { randomUUID } from 'node:crypto';
import { documentedRoutes, servedRoutes } from '@latchkey/http';
import { readTopic } from '@latchkey/testing';
import { applicationDecider, clientSecretMatches } from './domain';
import { fold } from '@latchkey/eventstore';
import { RegistryHarness } from './testing/registry-harness';

const ADMIN_PERMISSIONS = [
  'accounts:update',
  'applications:create',
  'applications:read',
  'applications:update',
  'applications:delete',
  'orders:read',
  'orders:update',
];

/** application-registry end to end on real PostgreSQL and Kafka: API → event store → outbox → Kafka → verifiers. */
describe('application-registry (real PostgreSQL + Kafka)', () => {
  const h = new RegistryHarness();
  const account = randomUUID();
  let token: string;
  const headers = () => ({ authorization: `Bearer ${token}`, 'x-account-id': account });
  const register = (payload: object) =>
    h.app.inject({ method: 'POST', url: '/v1/applications', headers: headers(), payload });
  const confidential = {
    name: 'Order Dashboard',
    clientType: 'confidential',
    redirectUris: ['https://dashboard.example.com/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    allowedScopes: ['orders:read'],
  };

  beforeAll(async () => {
    await h.startService();
    token = (await h.adminIn(account, ADMIN_PERMISSIONS, ['applications:*', 'orders:*'])).token;
  }, 120_000);
  afterAll(() => h.stopService());

  /** The application's events as they are on Kafka, folded: what token-service will see. */
  const fromKafka = async (clientId: string, until: (types: string[]) => boolean) => {
    const all = await readTopic(h.kafka, h.topics.applications, (msgs) =>
      until(
        msgs
          .map((m) => m.value as { aggregateId: string; type: string })
          .filter((e) => e.aggregateId === clientId)
          .map((e) => e.type),
      ),
    );
    return all
      .map((m) => m.value as { aggregateId: string; type: string; data: Record<string, unknown> })
      .filter((e) => e.aggregateId === clientId);
  };

  it('registers a confidential client: the secret is in the answer once; ApplicationRegistered carries its SHA-256 and never the secret', async () => {
    const res = await register(confidential);
    expect(res.statusCode).toBe(201);
    const app = res.json();
    expect(app).toMatchObject({
      name: 'Order Dashboard',
      ownerAccountId: account,
      accountIds: [account],
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 1_209_600,
      firstParty: false,
      status: 'enabled',
    });
    expect(app.clientSecret).toMatch(/^lk_cs_[0-9A-Za-z]{49}$/);
    const events = await fromKafka(app.clientId, (t) => t.includes('ApplicationRegistered'));
    expect(events[0].type).toBe('ApplicationRegistered');
    expect(events[0].data.secretHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(events)).not.toContain(app.clientSecret);
    expect(clientSecretMatches(fold(applicationDecider, events as never), app.clientSecret, new Date())).toBe(true);
    const again = await h.app.inject({ method: 'GET', url: `/v1/applications/${app.clientId}`, headers: headers() });
    expect(again.statusCode).toBe(200);
    expect(again.body).not.toContain('lk_cs_');
    expect(again.json().clientSecret).toBeUndefined();
  });

  it('records whether authorization requests must be pushed (RFC 9126): off by default, set at registration, changed by an update', async () => {
    const plain = (await register({ ...confidential, name: 'Not pushing' })).json();
    expect(plain.requirePushedAuthorizationRequests).toBe(false);
    const app = (await register({ ...confidential, name: 'Pushing', requirePushedAuthorizationRequests: true })).json();
    expect(app.requirePushedAuthorizationRequests).toBe(true);
    const lifted = await h.app.inject({
      method: 'PATCH',
      url: `/v1/applications/${app.clientId}`,
      headers: headers(),
      payload: { requirePushedAuthorizationRequests: false },
    });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json().requirePushedAuthorizationRequests).toBe(false);
    const events = await fromKafka(app.clientId, (t) => t.includes('ApplicationUpdated'));
    expect(events.map((e) => e.data.requirePushedAuthorizationRequests)).toEqual([true, false]);
  });

  it('a public client gets no secret', async () => {
    const res = await register({ ...confidential, name: 'SPA', clientType: 'public' });
    expect(res.statusCode).toBe(201);
    expect(res.json().clientSecret).toBeNull();
  });

  it('rotates the secret: both verify during the overlap, only the new one after it', async () => {
    const app = (await register({ ...confidential, name: 'Rotating' })).json();
    const rotated = await h.app.inject({
      method: 'POST',
      url: `/v1/applications/${app.clientId}/secret`,
      headers: headers(),
      payload: { overlapSeconds: 2 },
    });
    expect(rotated.statusCode).toBe(201);
    const { clientSecret: next, previousSecretValidUntil } = rotated.json();
    expect(next).not.toBe(app.clientSecret);
    const until = Date.parse(previousSecretValidUntil);
    expect(until - Date.now()).toBeLessThanOrEqual(2000);
    const state = fold(
      applicationDecider,
      (await fromKafka(app.clientId, (t) => t.includes('ApplicationSecretRotated'))) as never,
    );
    const during = new Date(until - 500);
    expect([clientSecretMatches(state, app.clientSecret, during), clientSecretMatches(state, next, during)]).toEqual([
      true,
      true,
    ]);
    const after = new Date(until + 1);
    expect([clientSecretMatches(state, app.clientSecret, after), clientSecretMatches(state, next, after)]).toEqual([
      false,
      true,
    ]);
    // and on a public client there is nothing to rotate
    const spa = (await register({ ...confidential, name: 'SPA 2', clientType: 'public' })).json();
    const refused = await h.app.inject({
      method: 'POST',
      url: `/v1/applications/${spa.clientId}/secret`,
      headers: headers(),
      payload: {},
    });
    expect([refused.statusCode, refused.json().code]).toEqual([422, 'no_secret_for_public_client']);
  });

  it('disable makes a token-verifier see that application’s tokens inactive; enable brings them back', async () => {
    const app = (await register({ ...confidential, name: 'To disable' })).json();
    const userId = randomUUID();
    // in the application's own accounts: an application's token acts only where the application may
    const at = h.factory.accessToken(userId, app.clientId, ['orders:read'], app.accountIds);
    // a token is vouched for only once its user is known (verifiers answer "unknown" before)
    await h.publish(h.topics.identity, [
      h.factory.event('UserRegistered', userId, { userId, kind: 'human', displayName: 'Ada', accountIds: ['acct-1'] }),
    ]);
    await h.publish(h.topics.tokens, [at.issued]);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(at.token).active).toBe(true);
    const disabled = await h.app.inject({
      method: 'POST',
      url: `/v1/applications/${app.clientId}/disable`,
      headers: headers(),
      payload: { reason: 'compromised' },
    });
    expect([disabled.statusCode, disabled.json().status]).toEqual([200, 'disabled']);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(at.token)).toEqual({ active: false, reason: 'application_disabled' });
    expect(
      (await h.app.inject({ method: 'POST', url: `/v1/applications/${app.clientId}/enable`, headers: headers() }))
        .statusCode,
    ).toBe(200);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(at.token).active).toBe(true);
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/v1/applications/${app.clientId}`, headers: headers() }))
        .statusCode,
    ).toBe(204);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(at.token)).toEqual({ active: false, reason: 'application_disabled' });
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/applications/${app.clientId}`, headers: headers() })).statusCode,
    ).toBe(404);
  }, 60_000);

  it('updates only what changed; the ceiling cannot exceed what the admin holds', async () => {
    const app = (await register({ ...confidential, name: 'Updatable' })).json();
    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/v1/applications/${app.clientId}`,
      headers: headers(),
      payload: { name: 'Renamed', allowedScopes: ['orders:read', 'orders:update'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Renamed', allowedScopes: ['orders:read', 'orders:update'] });
    const events = await fromKafka(app.clientId, (t) => t.includes('ApplicationUpdated'));
    expect(events.find((e) => e.type === 'ApplicationUpdated')!.data).toEqual({
      clientId: app.clientId,
      name: 'Renamed',
      allowedScopes: ['orders:read', 'orders:update'],
    });
    const beyond = await h.app.inject({
      method: 'PATCH',
      url: `/v1/applications/${app.clientId}`,
      headers: headers(),
      payload: { allowedScopes: ['orders:delete'] },
    });
    expect([beyond.statusCode, beyond.json().code]).toEqual([403, 'scope_not_held']);
  });

  it('isolates accounts: another account’s admin neither sees nor changes these applications', async () => {
    const app = (await register({ ...confidential, name: 'Mine' })).json();
    const other = randomUUID();
    const stranger = (await h.adminIn(other, ADMIN_PERMISSIONS, ['applications:*', 'orders:*'])).token;
    const as = { authorization: `Bearer ${stranger}`, 'x-account-id': other };
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/applications/${app.clientId}`, headers: as })).statusCode,
    ).toBe(404);
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: `/v1/applications/${app.clientId}/disable`,
          headers: as,
          payload: {},
        })
      ).statusCode,
    ).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/v1/applications', headers: as })).json().items).toEqual([]);
    // and naming the first account with the stranger's token is refused by the guard
    const spoofed = await h.app.inject({
      method: 'GET',
      url: `/v1/applications/${app.clientId}`,
      headers: { ...as, 'x-account-id': account },
    });
    expect(spoofed.statusCode).toBe(403);
    expect((await h.ctx.queries.application(app.clientId))?.status).toBe('enabled');
  });

  it('serves its OpenAPI document at /docs, and every served route is documented', async () => {
    const doc = await h.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    const documented = documentedRoutes(doc.json())
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    const served = servedRoutes(h.app.getHttpAdapter().getInstance())
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(served).toEqual(documented);
  });
});

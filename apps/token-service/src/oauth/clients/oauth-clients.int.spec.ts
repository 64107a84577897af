import { randomUUID } from 'node:crypto';
import { hashSecret } from '@latchkey/token-format';
import { waitFor } from '@latchkey/testing';
import { TokenHarness } from '../../testing/token-harness';
import { authenticateClient } from './client-authentication';
import { OAuthClients } from './oauth-client';

describe("OAuth clients: token-service's read model of the registry's events (real PostgreSQL + Kafka)", () => {
  const h = new TokenHarness();
  let clients: OAuthClients;
  beforeAll(async () => {
    await h.startService();
    clients = new OAuthClients(h.ctx.runtime.dataSource);
  }, 120_000);
  afterAll(() => h.stopService());

  const account = randomUUID();
  const registered = (clientId: string, secret: string | null) =>
    h.factory.event('ApplicationRegistered', clientId, {
      clientId,
      ownerAccountId: account,
      name: 'Reports',
      clientType: secret === null ? 'public' : 'confidential',
      redirectUris: ['https://reports.example.com/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      allowedScopes: ['orders:read'],
      accountIds: [account],
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 1_209_600,
      firstParty: false,
      ...(secret === null ? {} : { secretHash: hashSecret(secret) }),
    });

  async function settled(clientId: string, version: number): Promise<void> {
    await waitFor(
      async () =>
        (
          (await h.ctx.runtime.dataSource.query('SELECT version FROM directory_applications WHERE client_id = $1', [
            clientId,
          ])) as Array<{ version: number }>
        )[0]?.version === version,
      { what: `client ${clientId} at version ${version}` },
    );
  }

  it('projects registration, partial updates and a secret rotation with its overlap', async () => {
    const clientId = randomUUID();
    await h.publish(h.topics.applications, [registered(clientId, 'lk_cs_first')]);
    await settled(clientId, 1);
    expect(await clients.find(clientId)).toEqual({
      clientId,
      ownerAccountId: account,
      name: 'Reports',
      clientType: 'confidential',
      status: 'active',
      redirectUris: ['https://reports.example.com/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      allowedScopes: ['orders:read'],
      accountIds: [account],
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 1_209_600,
      firstParty: false,
      console: false,
      requirePushedRequests: false,
      secret: { currentHash: hashSecret('lk_cs_first'), previousHash: null, previousValidUntil: null },
    });

    const overlapEnds = new Date(Date.now() + 3_600_000).toISOString();
    await h.publish(h.topics.applications, [
      h.factory.event('ApplicationUpdated', clientId, {
        clientId,
        name: 'Reports 2',
        allowedScopes: ['orders:read', 'orders:update'],
        requirePushedAuthorizationRequests: true,
      }),
      h.factory.event('ApplicationSecretRotated', clientId, {
        clientId,
        secretHash: hashSecret('lk_cs_second'),
        previousSecretValidUntil: overlapEnds,
      }),
    ]);
    await settled(clientId, 3);
    const client = (await clients.find(clientId))!;
    expect(client).toMatchObject({
      name: 'Reports 2',
      allowedScopes: ['orders:read', 'orders:update'],
      redirectUris: ['https://reports.example.com/callback'], // untouched by the partial update
      requirePushedRequests: true,
      secret: {
        currentHash: hashSecret('lk_cs_second'),
        previousHash: hashSecret('lk_cs_first'),
        previousValidUntil: overlapEnds,
      },
    });
    const now = new Date();
    for (const secret of ['lk_cs_first', 'lk_cs_second'])
      expect(authenticateClient(client, { clientId, secret, method: 'client_secret_post' }, now)).toBe(client);
    expect(() =>
      authenticateClient(
        client,
        { clientId, secret: 'lk_cs_first', method: 'client_secret_post' },
        new Date(Date.parse(overlapEnds) + 1),
      ),
    ).toThrow('client authentication failed');
  }, 60_000);

  it('a rotation without overlap drops the previous hash; disabling keeps the client as disabled; deleting keeps no hash', async () => {
    const clientId = randomUUID();
    await h.publish(h.topics.applications, [
      registered(clientId, 'lk_cs_a'),
      h.factory.event('ApplicationSecretRotated', clientId, {
        clientId,
        secretHash: hashSecret('lk_cs_b'),
        previousSecretValidUntil: null,
      }),
      h.factory.event('ApplicationDisabled', clientId, { clientId }),
    ]);
    await settled(clientId, 3);
    expect(await clients.find(clientId)).toMatchObject({
      status: 'disabled',
      secret: { currentHash: hashSecret('lk_cs_b'), previousHash: null, previousValidUntil: null },
    });
    await h.publish(h.topics.applications, [
      h.factory.event('ApplicationEnabled', clientId, { clientId }),
      h.factory.event('ApplicationDeleted', clientId, { clientId }),
    ]);
    await settled(clientId, 5);
    const [row] = await h.ctx.runtime.dataSource.query(
      'SELECT status, secret_hash, previous_secret_hash FROM directory_applications WHERE client_id = $1',
      [clientId],
    );
    expect(row).toEqual({ status: 'deleted', secret_hash: null, previous_secret_hash: null });
    expect((await clients.find(clientId))?.status).toBe('deleted');
  }, 60_000);

  it('a public client has no secret; an unknown client or one seen only by status is no client', async () => {
    const spa = randomUUID();
    const onlyStatus = randomUUID();
    await h.publish(h.topics.applications, [
      registered(spa, null),
      h.factory.event('ApplicationDisabled', onlyStatus, { clientId: onlyStatus }),
    ]);
    await settled(spa, 1);
    await settled(onlyStatus, 1);
    expect(await clients.find(spa)).toMatchObject({ clientType: 'public', secret: null });
    expect(await clients.find(onlyStatus)).toBeNull();
    expect(await clients.find(randomUUID())).toBeNull();
    expect(await clients.find('')).toBeNull();
  }, 60_000);
});

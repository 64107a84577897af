import { randomUUID } from 'node:crypto';
import { readTopic, testKafka, waitFor } from '@latchkey/testing';
import { TokenVerifier } from '@latchkey/token-verifier';
import { call, Platform } from './platform';

/**
 * The whole platform as an operator runs it: identity-service, application-registry and
 * token-service from their builds, each with its own fresh database, on the real Kafka topics,
 * and a token-verifier in this process as any downstream service would run one.
 */
describe('Latchkey end to end (real services, Kafka, PostgreSQL)', () => {
  const platform = new Platform();
  const kafka = testKafka('e2e');
  let verifier: TokenVerifier;
  let adminToken = '';
  let directory = '';

  beforeAll(async () => {
    await platform.start(['identity-service', 'application-registry', 'token-service']);
    verifier = new TokenVerifier({ kafka });
    await verifier.start();
    await verifier.ready();
  }, 180_000);
  afterAll(async () => {
    await verifier?.stop();
    await platform.stop();
  });

  const identity = (path: string) => `${platform.url('identity-service')}${path}`;
  const tokens = (path: string) => `${platform.url('token-service')}${path}`;
  const registry = (path: string) => `${platform.url('application-registry')}${path}`;

  it('an operator issues the bootstrap administrator’s first token with the CLI, and the services accept it', async () => {
    // token-service learns the bootstrap admin from identity.events.v1; until then the CLI says the user is unknown
    const issued = await waitFor(
      () => {
        const r = platform.cli([
          'pat',
          'create',
          '--user',
          platform.adminEmail,
          '--name',
          'bootstrap',
          '--scopes',
          'all',
          '--all-accounts',
          '--expires-in-days',
          '1',
        ]);
        return r.status === 0 ? r : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the CLI to issue the bootstrap token' },
    );
    adminToken = issued.stdout.trim();
    expect(adminToken).toMatch(/^lk_pat_/);
    expect(issued.stderr).not.toContain(adminToken);
    const me = await waitFor(
      async () => {
        const r = await call('GET', identity('/v1/me'), adminToken);
        return r.status === 200 ? r.body : null;
      },
      { what: 'identity-service to accept the bootstrap token' },
    );
    expect(me).toMatchObject({ email: platform.adminEmail, kind: 'human' });
    directory = me.homeAccountId;
  }, 120_000);

  it('create a PAT → accepted with the right effective scopes; revoke → inactive; regenerate → old inactive, new active; remove a role → scopes shrink; deactivate → all inactive with GrantRevoked for each', async () => {
    const email = `ada-${randomUUID().slice(0, 8)}@e2e.example.com`;
    const ada = await call('POST', identity(`/v1/accounts/${directory}/users`), adminToken, {
      kind: 'human',
      email,
      displayName: 'Ada',
      roles: ['member'],
    });
    expect(ada.status).toBe(201);
    const adaId: string = ada.body.userId;

    // an administrator gives Ada her first token (token-service learns Ada from the identity topic)
    const first = await waitFor(
      async () => {
        const r = await call(
          'POST',
          tokens(`/v1/accounts/${directory}/users/${adaId}/personal-access-tokens`),
          adminToken,
          {
            name: 'laptop',
            // the token manages Ada's own tokens only with the matching scopes in it
            scopes: ['orders:read', 'orders:delete', 'personal_access_tokens:create', 'personal_access_tokens:delete'],
            expiresInDays: 30,
          },
        );
        // token-service learns Ada and her membership from identity.events.v1 a moment later
        if (['user_unknown', 'account_not_held', 'scope_not_held'].includes(r.body?.code)) return null;
        return r;
      },
      { what: 'token-service to know Ada' },
    );
    expect(first.status).toBe(201);
    const laptop = first.body;
    await waitFor(() => verifier.verify(laptop.token, { account: directory }).active, {
      what: 'the verifier to accept the new PAT',
    });
    expect(verifier.verify(laptop.token, { account: directory })).toMatchObject({
      subject: adaId,
      subjectKind: 'human',
      effectiveScopes: [
        'orders:delete',
        'orders:read',
        'personal_access_tokens:create',
        'personal_access_tokens:delete',
      ],
    });

    // Ada makes one herself with her token, and revokes it
    const own = await waitFor(
      async () => {
        const r = await call('POST', tokens('/v1/personal-access-tokens'), laptop.token, {
          name: 'script',
          scopes: ['orders:read'],
          accountIds: [directory],
        });
        return r.status === 401 ? null : r; // token-service's own verifier may be a moment behind
      },
      { what: 'token-service to accept Ada’s token' },
    );
    expect(own.status).toBe(201);
    await waitFor(() => verifier.verify(own.body.token).active, { what: 'the verifier to accept Ada’s own PAT' });
    expect((await call('DELETE', tokens(`/v1/personal-access-tokens/${own.body.id}`), laptop.token)).status).toBe(204);
    await waitFor(() => !verifier.verify(own.body.token).active, { what: 'the revoked PAT to be refused' });

    // regenerate the laptop token
    const regen = await call('POST', tokens(`/v1/personal-access-tokens/${laptop.id}/regenerate`), laptop.token);
    expect(regen.status).toBe(201);
    const renewed: string = regen.body.token;
    await waitFor(() => !verifier.verify(laptop.token).active && verifier.verify(renewed).active, {
      what: 'old secret refused, new accepted',
    });

    // identity-service takes the member role away in favour of read_only: orders:delete goes at once
    expect(
      (
        await call('PUT', identity(`/v1/accounts/${directory}/users/${adaId}/roles`), adminToken, {
          roles: ['read_only'],
        })
      ).status,
    ).toBe(200);
    await waitFor(
      () => {
        const r = verifier.verify(renewed, { account: directory });
        return r.active && !r.effectiveScopes.includes('orders:delete');
      },
      { what: 'effective scopes to shrink' },
    );
    expect(verifier.verify(renewed, { account: directory })).toMatchObject({
      active: true,
      effectiveScopes: ['orders:read', 'personal_access_tokens:create', 'personal_access_tokens:delete'],
    });

    // deactivation: every PAT of Ada inactive, and token-service revokes each live grant
    expect(
      (
        await call('POST', identity(`/v1/accounts/${directory}/users/${adaId}/deactivate`), adminToken, {
          reason: 'left',
        })
      ).status,
    ).toBe(200);
    await waitFor(() => !verifier.verify(renewed).active, { what: 'the deactivated user’s PAT to be refused' });
    // both revocations of Ada's grants, whichever partitions they are on
    const revoked = await readTopic(
      kafka,
      'tokens.events.v1',
      (all) =>
        all.some((m) => isGrantRevokedOf(m.value, adaId, 'user_deactivated')) &&
        all.some((m) => isGrantRevokedOf(m.value, adaId, 'user_request')),
    );
    const grants = revoked.map((m) => m.value).filter((v) => isGrantRevokedOf(v, adaId, 'user_deactivated')) as Array<{
      data: { grantId: string };
    }>;
    expect(grants.map((g) => g.data.grantId)).toEqual([laptop.id]); // the one still live; "script" was revoked by Ada before
    expect(
      revoked
        .map((m) => m.value)
        .filter((v) => isGrantRevokedOf(v, adaId, 'user_request'))
        .map((v) => (v as { data: { grantId: string } }).data.grantId),
    ).toEqual([own.body.id]);
    expect(verifier.verify(renewed).active).toBe(false);
  }, 180_000);

  it('an administrator registers an OAuth application: the secret is shown once; disabling it publishes ApplicationDisabled', async () => {
    const headers = { 'x-account-id': directory };
    const app = await waitFor(
      async () => {
        const r = await call(
          'POST',
          registry('/v1/applications'),
          adminToken,
          {
            name: 'Dashboard',
            clientType: 'confidential',
            redirectUris: ['https://dashboard.example.com/cb'],
            grantTypes: ['authorization_code', 'refresh_token'],
            allowedScopes: ['orders:read'],
          },
          headers,
        );
        return r.status === 401 ? null : r;
      },
      { what: 'the registry to accept the admin token' },
    );
    expect(app.status).toBe(201);
    expect(app.body.clientSecret).toMatch(/^lk_cs_/);
    const got = await call('GET', registry(`/v1/applications/${app.body.clientId}`), adminToken, undefined, headers);
    expect(got.text).not.toContain('lk_cs_');
    expect(
      (
        await call(
          'POST',
          registry(`/v1/applications/${app.body.clientId}/disable`),
          adminToken,
          { reason: 'e2e' },
          headers,
        )
      ).status,
    ).toBe(200);
    const events = await readTopic(kafka, 'applications.events.v1', (all) =>
      all.some(
        (m) =>
          (m.value as { type: string; aggregateId: string }).type === 'ApplicationDisabled' &&
          (m.value as { aggregateId: string }).aggregateId === app.body.clientId,
      ),
    );
    expect(events.some((m) => JSON.stringify(m.value).includes(app.body.clientSecret))).toBe(false);
  }, 60_000);
});

function isGrantRevokedOf(value: unknown, userId: string, reason: string): boolean {
  const e = value as { type?: string; data?: { userId?: string; reason?: string } };
  return e?.type === 'GrantRevoked' && e.data?.userId === userId && e.data.reason === reason;
}

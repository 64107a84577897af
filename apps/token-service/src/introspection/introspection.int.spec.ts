import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { displayPrefix, generateSecret, hashSecret } from '@latchkey/token-format';
import { httpIntrospection, type VerifyResult } from '@latchkey/token-verifier';
import { waitFor } from '@latchkey/testing';
import { projectTokenEvents } from '../read-model/token.projection';
import { INTERNAL_TOKEN, TokenHarness } from '../testing/token-harness';

/**
 * Introspection and every verifier decide "is this token active" by one rule (decideActive): here
 * token-service's tables and its own verifier's projection must give the same verdict for the same
 * token in every state — and an application disabled or deleted stops its tokens in both.
 */
describe('token-service introspection: the same verdict as the verifiers (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  let introspect: ReturnType<typeof httpIntrospection>;

  beforeAll(async () => {
    await h.startService();
    await h.internal.listen(0, '127.0.0.1');
    const port = (h.internal.getHttpServer().address() as AddressInfo).port;
    introspect = httpIntrospection({ url: `http://127.0.0.1:${port}/internal/introspect`, credential: INTERNAL_TOKEN });
  }, 120_000);
  afterAll(() => h.stopService());

  /** Appends a grant's events to token-service's store with its read models, as a command would. */
  async function appendGrant(grantId: string, events: Parameters<typeof h.ctx.runtime.store.appendIn>[1]['events']) {
    await h.ctx.runtime.dataSource.transaction(async (m) => {
      const { envelopes } = await h.ctx.runtime.store.appendIn(m, {
        stream: { type: 'grant', id: grantId },
        expectedVersion: 0,
        events,
      });
      await projectTokenEvents(m, envelopes);
    });
  }

  /**
   * A token of `clientId` for `userId`, appended to token-service's store. (Until the OAuth flow
   * exists, its grant is a personal one carrying the client, so the reactions can revoke it.)
   */
  async function accessToken(userId: string, clientId: string, scopes = ['orders:read']): Promise<string> {
    const token = generateSecret('at');
    const grantId = randomUUID();
    await appendGrant(grantId, [
      {
        type: 'GrantCreated',
        data: {
          grantId,
          kind: 'personal',
          userId,
          clientId,
          accountIds: [account],
          scopes,
          name: `app ${grantId}`,
          createdBy: userId,
        },
      },
      {
        type: 'TokenIssued',
        data: {
          tokenId: randomUUID(),
          grantId,
          tokenKind: 'access',
          tokenHash: hashSecret(token),
          displayPrefix: displayPrefix(token),
          userId,
          clientId,
          accountIds: [account],
          scopes,
          issuedAt: new Date().toISOString(),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      },
    ]);
    return token;
  }

  const registered = (clientId: string) =>
    h.factory.event('ApplicationRegistered', clientId, {
      clientId,
      ownerAccountId: account,
      name: 'Reports',
      clientType: 'confidential',
      redirectUris: ['https://reports.example.com/callback'],
      grantTypes: ['authorization_code', 'refresh_token'],
      allowedScopes: ['orders:read'],
      accountIds: [account],
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 1_209_600,
      firstParty: false,
    });

  /** The verdict of introspection (over HTTP) and of token-service's own verifier, for the same token. */
  async function verdicts(token: string): Promise<{ introspection: boolean; verifier: VerifyResult }> {
    const answer = await introspect(hashSecret(token));
    return { introspection: answer.active, verifier: h.ctx.runtime.verifier.verify(token) };
  }

  it('an access token of an application that is then disabled is inactive at introspection and at the verifier, and its grant is revoked', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const clientId = randomUUID();
    await h.publish(h.topics.applications, [registered(clientId)]);
    const token = await accessToken(userId, clientId);
    await h.ctx.runtime.verifier.catchUp();
    expect(await verdicts(token)).toMatchObject({ introspection: true, verifier: { active: true } });
    expect(await introspect(hashSecret(token))).toMatchObject({
      active: true,
      client_id: clientId,
      sub: userId,
      subject_kind: 'human',
      scope: 'orders:read',
      accounts: [account],
      user_version: 2,
      application_version: 1,
    });

    await h.publish(h.topics.applications, [h.factory.event('ApplicationDisabled', clientId, { clientId })]);
    await waitFor(async () => !(await introspect(hashSecret(token))).active, {
      what: 'introspection to refuse the disabled application’s token',
    });
    await h.ctx.runtime.verifier.catchUp();
    expect(h.ctx.runtime.verifier.verify(token)).toEqual({ active: false, reason: 'token_revoked' });
    const [grant] = await h.ctx.runtime.dataSource.query(
      `SELECT count(*)::int AS n FROM events WHERE type = 'GrantRevoked' AND data->>'reason' = 'application_disabled'`,
    );
    expect(grant.n).toBe(1); // and the reaction revoked its grant
  });

  it('a token issued while the application was already disabled, or deleted, is inactive at both, without any revocation', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const clientId = randomUUID();
    await h.publish(h.topics.applications, [
      registered(clientId),
      h.factory.event('ApplicationDisabled', clientId, { clientId }),
    ]);
    await waitFor(
      async () =>
        (
          await h.ctx.runtime.dataSource.query('SELECT status FROM directory_applications WHERE client_id = $1', [
            clientId,
          ])
        )[0]?.status === 'disabled',
      { what: 'the directory to know the application is disabled' },
    );
    await h.ctx.runtime.verifier.catchUp();
    const token = await accessToken(userId, clientId);
    expect(await verdicts(token)).toEqual({
      introspection: false,
      verifier: { active: false, reason: 'application_disabled' },
    });

    const deletedId = randomUUID();
    await h.publish(h.topics.applications, [
      registered(deletedId),
      h.factory.event('ApplicationDeleted', deletedId, { clientId: deletedId }),
    ]);
    await waitFor(
      async () =>
        (
          await h.ctx.runtime.dataSource.query('SELECT status FROM directory_applications WHERE client_id = $1', [
            deletedId,
          ])
        )[0]?.status === 'deleted',
      { what: 'the directory to know the application is deleted' },
    );
    await h.ctx.runtime.verifier.catchUp();
    expect(await verdicts(await accessToken(userId, deletedId))).toEqual({
      introspection: false,
      verifier: { active: false, reason: 'application_disabled' },
    });
  });

  it('a deactivated user’s token and a user unknown to the directory are inactive at both', async () => {
    const userId = await h.user('human', { [account]: ['orders:read'] });
    const clientId = randomUUID();
    await h.publish(h.topics.applications, [registered(clientId)]);
    const token = await accessToken(userId, clientId);
    const stranger = await accessToken(randomUUID(), clientId);
    await h.ctx.runtime.verifier.catchUp();
    expect(await verdicts(stranger)).toEqual({ introspection: false, verifier: { active: false, reason: 'unknown' } });
    await h.publish(h.topics.identity, [h.factory.event('UserDeactivated', userId, { userId, reason: 'left' })]);
    await waitFor(async () => !(await introspect(hashSecret(token))).active, { what: 'introspection to refuse' });
    await h.ctx.runtime.verifier.catchUp();
    expect((await verdicts(token)).verifier.active).toBe(false);
  });

  it('scope is what the token may do in EVERY account (never the union), at both', async () => {
    const other = randomUUID();
    const userId = await h.user('human', { [account]: ['orders:read', 'orders:delete'], [other]: ['orders:read'] });
    const token = generateSecret('pat');
    const grantId = randomUUID();
    await appendGrant(grantId, [
      {
        type: 'TokenIssued',
        data: {
          tokenId: randomUUID(),
          grantId,
          tokenKind: 'pat',
          tokenHash: hashSecret(token),
          displayPrefix: displayPrefix(token),
          userId,
          accountIds: [account, other],
          scopes: ['orders:read', 'orders:delete'],
          issuedAt: new Date().toISOString(),
          expiresAt: null,
        },
      },
    ]);
    await h.ctx.runtime.verifier.catchUp();
    expect((await introspect(hashSecret(token))).scope).toBe('orders:read');
    expect(h.ctx.runtime.verifier.verify(token)).toMatchObject({ active: true, effectiveScopes: ['orders:read'] });
  });
});

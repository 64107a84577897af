import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { documentedRoutes, servedRoutes } from '@latchkey/http';
import { readTopic, waitFor } from '@latchkey/testing';
import { hashSecret } from '@latchkey/token-format';
import { MissFallback, httpIntrospection } from '@latchkey/token-verifier';
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

/** token-service on real PostgreSQL and Kafka: API → event store → outbox → Kafka → verifier, and its reactions. */
describe('token-service (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const verifier = () => h.ctx.runtime.verifier;

  beforeAll(async () => {
    await h.startService();
  }, 120_000);
  afterAll(() => h.stopService());

  /** A member with a login-like token (every scope they hold) in the account. */
  const member = async (permissions = MEMBER) => {
    const userId = await h.user('human', { [account]: permissions });
    return { userId, token: await h.tokenFor(userId, [account], permissions) };
  };
  const createPat = (token: string, body: object) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/personal-access-tokens',
      headers: auth(token),
      payload: { accountIds: [account], ...body },
    });

  it('create → the verifier accepts the PAT with the right effective scopes; it is shown once and listed without the secret', async () => {
    const ada = await member();
    const res = await createPat(ada.token, {
      name: 'CI',
      description: 'pipeline',
      scopes: ['orders:read', 'orders:update'],
      expiresInDays: 30,
    });
    expect(res.statusCode).toBe(201);
    const pat = res.json();
    expect(pat).toMatchObject({
      name: 'CI',
      description: 'pipeline',
      scopes: ['orders:read', 'orders:update'],
      accountIds: [account],
      status: 'active',
      userId: ada.userId,
      lastUsedAt: null,
    });
    expect(pat.token).toMatch(/^lk_pat_/);
    expect(pat.displayPrefix).toBe(pat.token.slice(0, 11));
    await h.waitForOwnEvents();
    expect(verifier().verify(pat.token, { account })).toMatchObject({
      active: true,
      subject: ada.userId,
      grantId: pat.id,
      effectiveScopes: ['orders:read', 'orders:update'],
    });

    const list = await h.app.inject({ method: 'GET', url: '/v1/personal-access-tokens', headers: auth(ada.token) });
    expect(list.json().items.map((p: { id: string }) => p.id)).toEqual([pat.id]);
    expect(list.body).not.toContain(pat.token);
    const dup = await createPat(ada.token, { name: 'ci', scopes: ['orders:read'] });
    expect([dup.statusCode, dup.json().code]).toEqual([409, 'name_taken']);
  });

  it('revoke → inactive at once; revoking again is 204 and changes nothing', async () => {
    const ada = await member();
    const pat = (await createPat(ada.token, { name: 'to revoke', scopes: ['orders:read'] })).json();
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/v1/personal-access-tokens/${pat.id}`, headers: auth(ada.token) }))
        .statusCode,
    ).toBe(204);
    await h.waitForOwnEvents();
    expect(verifier().verify(pat.token).active).toBe(false);
    const before = Number(
      (await h.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [pat.id]))[0].n,
    );
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/v1/personal-access-tokens/${pat.id}`, headers: auth(ada.token) }))
        .statusCode,
    ).toBe(204);
    expect(
      Number(
        (await h.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [pat.id]))[0].n,
      ),
    ).toBe(before);
    const shown = (
      await h.app.inject({ method: 'GET', url: `/v1/personal-access-tokens/${pat.id}`, headers: auth(ada.token) })
    ).json();
    expect(shown.status).toBe('revoked');
  });

  it('regenerate → the old secret is inactive, the new one active, same settings; the history says who and when', async () => {
    const ada = await member();
    const pat = (await createPat(ada.token, { name: 'rotating', scopes: ['orders:read'], expiresInDays: 10 })).json();
    const regen = await h.app.inject({
      method: 'POST',
      url: `/v1/personal-access-tokens/${pat.id}/regenerate`,
      headers: auth(ada.token),
    });
    expect(regen.statusCode).toBe(201);
    const next = regen.json();
    expect(next.token).not.toBe(pat.token);
    expect(next).toMatchObject({ id: pat.id, name: 'rotating', scopes: ['orders:read'] });
    await h.waitForOwnEvents();
    expect(verifier().verify(pat.token)).toEqual({ active: false, reason: 'token_revoked' });
    expect(verifier().verify(next.token, { account }).active).toBe(true);
    const history = (
      await h.app.inject({
        method: 'GET',
        url: `/v1/personal-access-tokens/${pat.id}/events`,
        headers: auth(ada.token),
      })
    ).json().items;
    expect(history.map((e: { type: string }) => e.type)).toEqual([
      'GrantCreated',
      'TokenIssued',
      'TokenRevoked',
      'TokenIssued',
    ]);
    expect(history.every((e: { actor: string }) => e.actor === ada.userId)).toBe(true);
    expect(JSON.stringify(history)).not.toContain('lk_pat_');
  });

  it('deactivating the user → GrantRevoked for each of their PATs and all inactive; removing a role shrinks effective scopes', async () => {
    const bob = await member();
    const pats = [];
    for (const name of ['one', 'two', 'three'])
      pats.push((await createPat(bob.token, { name, scopes: ['orders:read', 'orders:delete'] })).json());
    await h.waitForOwnEvents();
    // identity-service takes orders:delete away
    await h.publish(h.topics.identity, [
      h.factory.event('MembershipChanged', bob.userId, {
        userId: bob.userId,
        accountId: account,
        roles: ['reader'],
        permissions: ['orders:read', 'personal_access_tokens:create'],
      }),
    ]);
    await h.waitForOwnEvents();
    expect(verifier().verify(pats[0].token, { account })).toMatchObject({
      active: true,
      effectiveScopes: ['orders:read'],
    });

    await h.publish(h.topics.identity, [
      h.factory.event('UserDeactivated', bob.userId, { userId: bob.userId, reason: 'left' }),
    ]);
    const revoked = await readTopic(
      h.kafka,
      h.topics.tokens,
      (all) =>
        all.filter(
          (m) =>
            (m.value as { type: string; data: { userId?: string } }).type === 'GrantRevoked' &&
            (m.value as { data: { userId?: string } }).data.userId === bob.userId,
        ).length >= 3,
    );
    const grants = revoked
      .map((m) => m.value as { type: string; data: { grantId: string; userId?: string; reason: string } })
      .filter((e) => e.type === 'GrantRevoked' && e.data.userId === bob.userId);
    expect(grants.map((e) => e.data.grantId).sort()).toEqual(pats.map((p) => p.id).sort());
    expect(new Set(grants.map((e) => e.data.reason))).toEqual(new Set(['user_deactivated']));
    await h.waitForOwnEvents();
    for (const p of pats) expect(verifier().verify(p.token).active).toBe(false);
    // and reactivation does not bring them back
    await h.publish(h.topics.identity, [h.factory.event('UserReactivated', bob.userId, { userId: bob.userId })]);
    await h.waitForOwnEvents();
    for (const p of pats)
      expect(verifier().verify(p.token)).toEqual({
        active: false,
        reason: expect.stringMatching(/^(token|grant)_revoked$/),
      });
  }, 60_000);

  it('administrators create tokens for api and contact users; the contact policy limits contacts; other members may not', async () => {
    const admin = await member(ADMIN);
    const robot = await h.user('api', { [account]: ['orders:read', 'orders:update'] });
    const contact = await h.user('contact', { [account]: ['orders:read', 'orders:update'] });
    const forUser = (token: string, userId: string, body: object) =>
      h.app.inject({
        method: 'POST',
        url: `/v1/accounts/${account}/users/${userId}/personal-access-tokens`,
        headers: auth(token),
        payload: body,
      });

    const policy = await h.app.inject({
      method: 'PUT',
      url: `/v1/accounts/${account}/token-policy`,
      headers: auth(admin.token),
      payload: { whoMayCreate: 'everyone', maxLifetimeDays: 90, contactScopes: ['orders:read'] },
    });
    expect(policy.statusCode).toBe(200);
    await h.waitForOwnEvents();

    const botPat = await forUser(admin.token, robot, { name: 'robot', scopes: ['orders:update'], expiresInDays: 30 });
    expect(botPat.statusCode).toBe(201);
    expect(botPat.json()).toMatchObject({ userId: robot, createdBy: admin.userId });
    const tooLong = await forUser(admin.token, robot, {
      name: 'robot 2',
      scopes: ['orders:update'],
      expiresInDays: 365,
    });
    expect([tooLong.statusCode, tooLong.json().code]).toEqual([422, 'lifetime_exceeds_maximum']);
    const noExpiry = await forUser(admin.token, robot, { name: 'robot 3', scopes: ['orders:update'] });
    expect([noExpiry.statusCode, noExpiry.json().code]).toEqual([422, 'expiry_required']);

    expect(
      (await forUser(admin.token, contact, { name: 'portal', scopes: ['orders:read'], expiresInDays: 7 })).statusCode,
    ).toBe(201);
    const forbidden = await forUser(admin.token, contact, {
      name: 'portal 2',
      scopes: ['orders:update'],
      expiresInDays: 7,
    });
    expect([forbidden.statusCode, forbidden.json().code]).toEqual([403, 'scope_not_allowed_for_contact']);

    const plain = await member();
    const notAdmin = await forUser(plain.token, robot, { name: 'sneaky', scopes: ['orders:read'], expiresInDays: 7 });
    expect(notAdmin.statusCode).toBe(403);

    const listed = await h.app.inject({
      method: 'GET',
      url: `/v1/accounts/${account}/personal-access-tokens?limit=200`,
      headers: auth(admin.token),
    });
    expect(listed.json().items.map((p: { userId: string }) => p.userId)).toEqual(
      expect.arrayContaining([robot, contact]),
    );
    const adminRevoke = await h.app.inject({
      method: 'DELETE',
      url: `/v1/accounts/${account}/personal-access-tokens/${botPat.json().id}`,
      headers: auth(admin.token),
    });
    expect(adminRevoke.statusCode).toBe(204);

    await h.app.inject({
      method: 'PUT',
      url: `/v1/accounts/${account}/token-policy`,
      headers: auth(admin.token),
      payload: { whoMayCreate: 'administrators', maxLifetimeDays: null, contactScopes: ['orders:read'] },
    });
    await h.waitForOwnEvents();
    const selfRefused = await createPat(plain.token, { name: 'mine', scopes: ['orders:read'] });
    expect([selfRefused.statusCode, selfRefused.json().code]).toEqual([403, 'pat_creation_forbidden']);
    await h.app.inject({
      method: 'PUT',
      url: `/v1/accounts/${account}/token-policy`,
      headers: auth(admin.token),
      payload: { whoMayCreate: 'everyone', maxLifetimeDays: null, contactScopes: [] },
    });
    await h.waitForOwnEvents();
  }, 60_000);

  it('50 concurrent regenerate/revoke calls on one token end in one consistent state, with no 5xx', async () => {
    const carol = await member();
    const pat = (await createPat(carol.token, { name: 'contended', scopes: ['orders:read'] })).json();
    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 4
        ? h.app.inject({ method: 'DELETE', url: `/v1/personal-access-tokens/${pat.id}`, headers: auth(carol.token) })
        : h.app.inject({
            method: 'POST',
            url: `/v1/personal-access-tokens/${pat.id}/regenerate`,
            headers: auth(carol.token),
          }),
    );
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.statusCode >= 500)).toEqual([]);
    expect(new Set(results.map((r) => r.statusCode))).toEqual(expect.any(Set));
    for (const r of results) expect([201, 204, 409]).toContain(r.statusCode);
    await h.waitForOwnEvents();
    const secrets = [pat.token, ...results.filter((r) => r.statusCode === 201).map((r) => r.json().token as string)];
    const live = secrets.filter((s) => verifier().verify(s).active);
    const rows = await h.ctx.runtime.dataSource.query(
      'SELECT count(*) AS n FROM token_hashes WHERE grant_id = $1 AND NOT revoked',
      [pat.id],
    );
    expect(live.length).toBeLessThanOrEqual(1);
    expect(Number(rows[0].n)).toBe(live.length);
    const state = (await h.ctx.queries.pat(pat.id))!.status;
    expect(state === 'revoked' ? 0 : 1).toBe(live.length);
  }, 60_000);

  it('introspection (internal, service credential) answers a token used 0 ms after issue through a verifier’s miss fallback', async () => {
    await h.internal.listen(0, '127.0.0.1');
    const port = (h.internal.getHttpServer().address() as AddressInfo).port;
    const ada = await member();
    const pat = (await createPat(ada.token, { name: 'fresh', scopes: ['orders:read'] })).json();
    const fallback = new MissFallback({
      introspect: httpIntrospection({
        url: `http://127.0.0.1:${port}/internal/introspect`,
        credential: INTERNAL_TOKEN,
      }),
    });
    expect(await fallback.resolve(hashSecret(pat.token), { account })).toMatchObject({
      active: true,
      subject: ada.userId,
      grantId: pat.id,
      effectiveScopes: ['orders:read'],
    });
    const refused = await fetch(`http://127.0.0.1:${port}/internal/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token_hash=${hashSecret(pat.token)}`,
    });
    expect(refused.status).toBe(401);
    const unknown = await httpIntrospection({
      url: `http://127.0.0.1:${port}/internal/introspect`,
      credential: INTERNAL_TOKEN,
    })(hashSecret('lk_pat_nope'));
    expect(unknown).toEqual({ active: false });
  });

  it('last used comes from token-usage.v1; check tells whether a token is good', async () => {
    const ada = await member();
    const pat = (await createPat(ada.token, { name: 'used', scopes: ['orders:read'] })).json();
    const at = '2026-11-25T10:00:00.000Z';
    await h.waitForOwnEvents();
    const tokenId = (await h.ctx.runtime.dataSource.query('SELECT token_id FROM pats WHERE grant_id = $1', [pat.id]))[0]
      .token_id;
    await h.publish(h.usageTopic, [
      h.factory.event('TokensUsed', tokenId, { entries: [{ tokenId, lastUsedAt: at, count: 3 }] }),
    ]);
    await waitFor(async () => (await h.ctx.queries.pat(pat.id))?.lastUsedAt === at, { what: 'last used time' });
    const check = await h.app.inject({
      method: 'POST',
      url: '/v1/personal-access-tokens/check',
      headers: auth(ada.token),
      payload: { token: pat.token },
    });
    expect(check.json()).toMatchObject({ active: true, id: pat.id, name: 'used' });
    const bad = await h.app.inject({
      method: 'POST',
      url: '/v1/personal-access-tokens/check',
      headers: auth(ada.token),
      payload: { token: 'lk_pat_garbage' },
    });
    expect(bad.json()).toEqual({ active: false, reason: 'malformed' });
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

import { readTopic } from '@latchkey/testing';
import { documentedRoutes, servedRoutes } from '@latchkey/http';
import { ADMIN_EMAIL, ADMIN_PASSWORD, IdentityHarness, INTERNAL_TOKEN } from './testing/identity-harness';

/** identity-service end to end on real PostgreSQL and Kafka: API → event store → outbox → Kafka → verifier. */
describe('identity-service (real PostgreSQL + Kafka)', () => {
  const h = new IdentityHarness();
  let admin: { userId: string; accountId: string; token: string };
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    await h.startService();
    admin = await h.admin();
  }, 120_000);
  afterAll(() => h.stopService());

  it('bootstraps the directory account and its administrator once; a second run does nothing', async () => {
    expect(h.ctx.bootstrap).toBe('created');
    const res = await h.app.inject({ method: 'GET', url: '/v1/me', headers: auth(admin.token) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      email: ADMIN_EMAIL,
      kind: 'human',
      status: 'active',
      memberships: [{ accountId: admin.accountId, roles: ['account_admin'] }],
    });
    const { bootstrapDirectory } = await import('./bootstrap/bootstrap');
    const again = await bootstrapDirectory(
      { directoryName: 'Directory', adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD },
      { accounts: h.ctx.accounts, users: h.ctx.users, queries: h.ctx.queries },
    );
    expect(again).toBe('already-done');
    expect(
      Number(
        (await h.ctx.runtime.dataSource.query(`SELECT count(*) AS n FROM events WHERE type = 'UserRegistered'`))[0].n,
      ),
    ).toBe(1);
  });

  it('after an upgrade that makes a role grant more, a restart re-resolves the bootstrap administrator’s permissions once', async () => {
    const { bootstrapDirectory } = await import('./bootstrap/bootstrap');
    const { UserCommands } = await import('./users/user.commands');
    const { createRoleCatalogue } = await import('./domain');
    const upgraded = createRoleCatalogue([...h.ctx.catalogue.recordTypes, 'invoices']);
    const users = new UserCommands(h.ctx.runtime, h.ctx.queries, upgraded, h.ctx.hasher, h.ctx.credentials);
    const changes = async () =>
      Number(
        (await h.ctx.runtime.dataSource.query(`SELECT count(*) AS n FROM events WHERE type = 'MembershipChanged'`))[0]
          .n,
      );
    const before = await changes();
    const config = { directoryName: 'Directory', adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD };
    expect(await bootstrapDirectory(config, { accounts: h.ctx.accounts, users, queries: h.ctx.queries })).toBe(
      'already-done',
    );
    expect(await changes()).toBe(before + 1);
    const me = (await h.app.inject({ method: 'GET', url: '/v1/me', headers: auth(admin.token) })).json();
    expect(me.memberships[0].roles).toEqual(['account_admin']);
    expect(me.memberships[0].permissions).toEqual(expect.arrayContaining(['invoices:delete', 'account_tokens:create']));
    await bootstrapDirectory(config, { accounts: h.ctx.accounts, users, queries: h.ctx.queries });
    expect(await changes()).toBe(before + 1); // nothing new the second time
  });

  it('creating a user, granting roles and deactivating publish the expected events with resolved permissions; the verifier then refuses the user’s token', async () => {
    const acct = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${admin.accountId}/accounts`,
      headers: auth(admin.token),
      payload: { name: 'Logistics' },
    });
    expect(acct.statusCode).toBe(201);
    const accountId = acct.json().accountId as string;
    expect(acct.json()).toMatchObject({ name: 'Logistics', kind: 'standard', parentAccountId: admin.accountId });

    const created = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${admin.accountId}/users`,
      headers: auth(admin.token),
      payload: {
        kind: 'human',
        email: 'Ada@Example.com',
        displayName: 'Ada',
        roles: ['read_only'],
        password: 'a long enough password',
      },
    });
    expect(created.statusCode).toBe(201);
    const ada = created.json();
    expect(ada).toMatchObject({
      email: 'ada@example.com',
      kind: 'human',
      status: 'active',
      memberships: [{ accountId: admin.accountId, roles: ['read_only'] }],
    });
    expect(JSON.stringify(ada)).not.toMatch(/password|argon2/i);

    // directory users join the directory's standard accounts
    const roles = await h.app.inject({
      method: 'PUT',
      url: `/v1/accounts/${admin.accountId}/users/${ada.userId}/roles`,
      headers: auth(admin.token),
      payload: { roles: ['member'] },
    });
    expect(roles.statusCode).toBe(200);
    expect(roles.json().memberships[0].permissions).toEqual(
      expect.arrayContaining(['orders:create', 'orders:delete', 'incidents:read', 'personal_access_tokens:create']),
    );

    const adaToken = await h.tokenFor(ada.userId, [admin.accountId], ['orders:read', 'orders:delete']);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(adaToken, { account: admin.accountId })).toMatchObject({
      active: true,
      effectiveScopes: ['orders:delete', 'orders:read'],
    });

    const deactivated = await h.app.inject({
      method: 'POST',
      url: `/v1/accounts/${admin.accountId}/users/${ada.userId}/deactivate`,
      headers: auth(admin.token),
      payload: { reason: 'left the company' },
    });
    expect(deactivated.statusCode).toBe(200);
    expect(deactivated.json().status).toBe('deactivated');
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(adaToken, { account: admin.accountId })).toEqual({
      active: false,
      reason: 'user_deactivated',
    });

    const events = await readTopic(h.kafka, h.topics.identity, (all) =>
      all.some((m) => (m.value as { type: string }).type === 'UserDeactivated'),
    );
    const ofAda = events
      .map((m) => m.value as { type: string; aggregateId: string; data: Record<string, unknown> })
      .filter((e) => e.aggregateId === ada.userId);
    expect(ofAda.map((e) => e.type)).toEqual([
      'UserRegistered',
      'MembershipChanged',
      'MembershipChanged',
      'UserDeactivated',
    ]);
    expect(ofAda[1].data).toMatchObject({
      accountId: admin.accountId,
      roles: ['read_only'],
      permissions: expect.arrayContaining(['orders:read', 'incidents:read']),
    });
    expect(ofAda[2].data.permissions).toEqual(
      expect.arrayContaining(['orders:create', 'orders:update', 'orders:delete']),
    );
    expect(ofAda[3].data).toEqual({ userId: ada.userId, reason: 'left the company' });
    expect(
      events.some(
        (m) =>
          (m.value as { type: string; data: { accountId?: string } }).type === 'AccountCreated' &&
          (m.value as { data: { accountId: string } }).data.accountId === accountId,
      ),
    ).toBe(true);
  }, 60_000);

  it('removing a role shrinks the token’s effective scopes at once', async () => {
    const bob = (
      await h.app.inject({
        method: 'POST',
        url: `/v1/accounts/${admin.accountId}/users`,
        headers: auth(admin.token),
        payload: { kind: 'api', displayName: 'Robot', roles: ['api_user'] },
      })
    ).json();
    const token = await h.tokenFor(bob.userId, [admin.accountId], ['orders:read', 'orders:update']);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(token, { account: admin.accountId })).toMatchObject({
      active: true,
      effectiveScopes: ['orders:read', 'orders:update'],
    });
    const res = await h.app.inject({
      method: 'DELETE',
      url: `/v1/accounts/${admin.accountId}/users/${bob.userId}/roles`,
      headers: auth(admin.token),
    });
    expect(res.statusCode).toBe(204);
    await h.waitForOwnEvents();
    expect(h.ctx.runtime.verifier.verify(token, { account: admin.accountId })).toMatchObject({
      active: true,
      effectiveScopes: [],
    });
  }, 60_000);

  it('an admin of one account cannot see or touch another account’s users', async () => {
    const other = (
      await h.app.inject({
        method: 'POST',
        url: `/v1/accounts/${admin.accountId}/accounts`,
        headers: auth(admin.token),
        payload: { name: 'Other' },
      })
    ).json();
    const carol = (
      await h.app.inject({
        method: 'POST',
        url: `/v1/accounts/${admin.accountId}/users`,
        headers: auth(admin.token),
        payload: { kind: 'human', email: 'carol@example.com', displayName: 'Carol', roles: ['member'] },
      })
    ).json();
    // Carol administers only "Other"
    expect(
      (
        await h.app.inject({
          method: 'PUT',
          url: `/v1/accounts/${other.accountId}/users/${carol.userId}/roles`,
          headers: auth(admin.token),
          payload: { roles: ['account_admin'] },
        })
      ).statusCode,
    ).toBe(403); // the admin's token does not name "Other"
    const adminInOther = await h.tokenFor(admin.userId, [other.accountId], ['users:*']);
    await h.waitForOwnEvents();
    expect(
      (
        await h.app.inject({
          method: 'PUT',
          url: `/v1/accounts/${other.accountId}/users/${carol.userId}/roles`,
          headers: auth(adminInOther),
          payload: { roles: ['account_admin'] },
        })
      ).statusCode,
    ).toBe(200);
    const carolToken = await h.tokenFor(carol.userId, [other.accountId], ['users:*']);
    await h.waitForOwnEvents();
    const list = await h.app.inject({
      method: 'GET',
      url: `/v1/accounts/${other.accountId}/users`,
      headers: auth(carolToken),
    });
    expect(list.statusCode).toBe(200);
    // in the directory account Carol's token is not allowed at all
    for (const [method, url] of [
      ['GET', `/v1/accounts/${admin.accountId}/users`],
      ['GET', `/v1/accounts/${admin.accountId}/users/${admin.userId}`],
      ['POST', `/v1/accounts/${admin.accountId}/users/${admin.userId}/deactivate`],
    ] as const) {
      const res = await h.app.inject({
        method,
        url,
        headers: auth(carolToken),
        ...(method === 'POST' ? { payload: { reason: 'x' } } : {}),
      });
      expect(res.statusCode).toBe(403);
      expect(res.headers['www-authenticate']).toMatch(/insufficient_scope/);
    }
    // through her own account she cannot read, deactivate or set the password of a user who is not in it
    const dave = (
      await h.app.inject({
        method: 'POST',
        url: `/v1/accounts/${admin.accountId}/users`,
        headers: auth(admin.token),
        payload: { kind: 'human', email: 'dave@example.com', displayName: 'Dave', roles: ['member'] },
      })
    ).json();
    for (const [method, url, payload] of [
      ['GET', `/v1/accounts/${other.accountId}/users/${dave.userId}`, undefined],
      ['POST', `/v1/accounts/${other.accountId}/users/${dave.userId}/deactivate`, { reason: 'x' }],
      ['PUT', `/v1/accounts/${other.accountId}/users/${dave.userId}/password`, { password: 'a brand new password' }],
      ['DELETE', `/v1/accounts/${other.accountId}/users/${dave.userId}/roles`, undefined],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: auth(carolToken), ...(payload ? { payload } : {}) });
      expect([res.statusCode, res.json().code]).toEqual([404, 'user_not_found']);
    }
    expect((await h.ctx.queries.user(dave.userId))?.status).toBe('active');
    expect(await h.ctx.credentials.hashOf(dave.userId)).toBeNull();
  }, 60_000);

  it('lists members with pagination', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.app.inject({
        method: 'GET',
        url: `/v1/accounts/${admin.accountId}/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth(admin.token),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: Array<{ userId: string }>; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      for (const u of body.items) {
        expect(seen.has(u.userId)).toBe(false);
        seen.add(u.userId);
      }
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    const members = Number(
      (
        await h.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM memberships WHERE account_id = $1', [
          admin.accountId,
        ])
      )[0].n,
    );
    expect(seen.size).toBe(members);
    expect(members).toBeGreaterThan(2);
    expect(pages).toBe(Math.ceil(members / 2));
  });

  it('the internal login check needs the service credential and answers alike for unknown users and wrong passwords', async () => {
    const check = (payload: object, token = INTERNAL_TOKEN) =>
      h.internal.inject({
        method: 'POST',
        url: '/internal/login-check',
        headers: { authorization: `Bearer ${token}` },
        payload,
      });
    expect((await check({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, 'wrong-token')).statusCode).toBe(401);
    const good = await check({ email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD });
    expect(good.json()).toEqual({ ok: true, userId: admin.userId, kind: 'human' });
    const wrong = await check({ email: ADMIN_EMAIL, password: 'not the password at all' });
    const unknown = await check({ email: 'nobody@example.com', password: 'not the password at all' });
    expect(wrong.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toEqual({ ok: false, reason: 'invalid_credentials' });
    // the public listener does not serve it
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/internal/login-check',
          headers: { authorization: `Bearer ${INTERNAL_TOKEN}` },
          payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        })
      ).statusCode,
    ).toBe(404);
  });

  it('serves its OpenAPI document at /docs, and every served route is documented', async () => {
    const doc = await h.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(doc.statusCode).toBe(200);
    const documented = documentedRoutes(doc.json())
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    const served = servedRoutes(h.app.getHttpAdapter().getInstance())
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(served).toEqual(documented);
    expect((await h.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
  });
});

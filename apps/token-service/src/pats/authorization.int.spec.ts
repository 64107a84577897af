import { randomUUID } from 'node:crypto';
import { waitFor } from '@latchkey/testing';
import { TokenHarness } from '../testing/token-harness';

const OWN = ['personal_access_tokens:create', 'personal_access_tokens:read', 'personal_access_tokens:delete'];
const MEMBER = [
  'orders:create',
  'orders:read',
  'orders:update',
  'orders:delete',
  ...OWN,
  'grants:read',
  'grants:delete',
];
const READ_ONLY = ['orders:read', ...OWN, 'grants:read', 'grants:delete'];
const ADMIN = [
  ...MEMBER,
  'personal_access_tokens:update',
  'users:read',
  'users:delete',
  'account_tokens:create',
  'account_tokens:read',
  'account_tokens:update',
  'account_tokens:delete',
];

type Res = Awaited<ReturnType<TokenHarness['app']['inject']>>;

/**
 * Who may do what with personal access tokens (hardening issue 12, items 1–4 and 15), over HTTP
 * against the real service: own tokens need `personal_access_tokens:*` in the calling token,
 * everyone's tokens in an account need `account_tokens:*`; a regeneration is a creation; the
 * issuing token is always the ceiling; the real actor is recorded; nothing about other accounts'
 * users leaks. Every refusal writes nothing.
 */
describe('token-service authorization of personal access tokens (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  const account = randomUUID();
  const other = randomUUID();
  const ids = { admin: '', member: '', readOnly: '', robot: '', bob: '' };
  const tokens = { admin: '', member: '', readOnly: '', bob: '' };

  beforeAll(async () => {
    await h.startService();
    ids.admin = await h.user('human', { [account]: ADMIN });
    ids.member = await h.user('human', { [account]: MEMBER });
    ids.readOnly = await h.user('human', { [account]: READ_ONLY });
    ids.robot = await h.user('api', { [account]: ['orders:read', 'orders:update'] });
    ids.bob = await h.user('human', { [other]: MEMBER });
    tokens.admin = await h.tokenFor(ids.admin, [account], ADMIN);
    tokens.member = await h.tokenFor(ids.member, [account], MEMBER);
    tokens.readOnly = await h.tokenFor(ids.readOnly, [account], READ_ONLY);
    tokens.bob = await h.tokenFor(ids.bob, [other], MEMBER);
  }, 120_000);
  afterAll(() => h.stopService());

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const call = (token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth(token), ...(payload === undefined ? {} : { payload }) });
  const created = async (res: Res): Promise<{ id: string; token: string; expiresAt: string | null }> => {
    expect([res.statusCode, res.body.slice(0, 300)]).toEqual([201, expect.any(String)]);
    return res.json();
  };
  /** A PAT the caller makes for themselves in the account (usable as a bearer once published). */
  const ownPat = async (token: string, name: string, scopes: string[], extra: object = {}) => {
    const pat = await created(
      await call(token, 'POST', '/v1/personal-access-tokens', { name, scopes, accountIds: [account], ...extra }),
    );
    await h.waitForOwnEvents();
    return pat;
  };
  const forUser = async (token: string, userId: string, name: string, scopes: string[], inAccount = account) =>
    call(token, 'POST', `/v1/accounts/${inAccount}/users/${userId}/personal-access-tokens`, {
      name,
      scopes,
      expiresInDays: 30,
    });
  const counts = async () =>
    (
      await h.ctx.runtime.dataSource.query(
        'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM pats WHERE revoked_at IS NULL) AS live, (SELECT count(*) FROM token_hashes WHERE NOT revoked) AS hashes, (SELECT count(*) FROM token_policies) AS policies',
      )
    )[0];
  const stream = async (grantId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> =>
    h.ctx.runtime.dataSource.query('SELECT type, data FROM events WHERE stream_id = $1 ORDER BY version', [grantId]);
  const active = (secret: string) => h.ctx.runtime.verifier.verify(secret, { account }).active;
  /** What a refusal says, without the request-specific parts. */
  const answer = (res: Res) => {
    const { instance: _instance, ...body } = res.json();
    return { status: res.statusCode, body };
  };

  it('1. member and read_only get 403 on every administration route, as does an administrator’s token without account_tokens:*; an administrator passes', async () => {
    const memberPat = await ownPat(tokens.member, 'member’s', ['orders:read']);
    const robotPat = await created(await forUser(tokens.admin, ids.robot, 'robot', ['orders:read']));
    // an administrator's own PAT made with only orders:read
    const adminNarrow = await ownPat(tokens.admin, 'admin narrow', ['orders:read']);
    const ADMIN_PATS = `/v1/accounts/${account}/personal-access-tokens`;
    const routes: Array<[method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object]> = [
      ['GET', ADMIN_PATS],
      ['GET', `${ADMIN_PATS}/${memberPat.id}/events`],
      [
        'POST',
        `/v1/accounts/${account}/users/${ids.robot}/personal-access-tokens`,
        { name: 'made', scopes: ['orders:read'], expiresInDays: 7 },
      ],
      ['POST', `${ADMIN_PATS}/${robotPat.id}/regenerate`],
      ['DELETE', `${ADMIN_PATS}/${memberPat.id}`],
      [
        'PUT',
        `/v1/accounts/${account}/token-policy`,
        { whoMayCreate: 'administrators', maxLifetimeDays: 30, contactScopes: [] },
      ],
    ];
    const before = await counts();
    for (const [who, token] of Object.entries({
      member: tokens.member,
      readOnly: tokens.readOnly,
      adminNarrow: adminNarrow.token,
    })) {
      for (const [method, url, payload] of routes) {
        const res = await call(token, method, url, payload);
        expect({ who, method, url, status: res.statusCode, error: res.json().error }).toEqual({
          who,
          method,
          url,
          status: 403,
          error: 'insufficient_scope',
        });
      }
    }
    expect(await counts()).toEqual(before);
    expect(active(memberPat.token) && active(robotPat.token)).toBe(true);
    // members may still read the policy: they need to know how long their tokens may live
    expect((await call(tokens.readOnly, 'GET', `/v1/accounts/${account}/token-policy`)).statusCode).toBe(200);

    const statuses = [];
    for (const [method, url, payload] of routes)
      statuses.push((await call(tokens.admin, method, url, payload)).statusCode);
    expect(statuses).toEqual([200, 200, 201, 201, 204, 200]);
    await call(tokens.admin, 'PUT', `/v1/accounts/${account}/token-policy`, {
      whoMayCreate: 'everyone',
      maxLifetimeDays: null,
      contactScopes: [],
    });
    await h.waitForOwnEvents();
  });

  it('4. a PAT with only orders:read gets 403 insufficient_scope on every self route and changes nothing', async () => {
    const laptop = await ownPat(tokens.member, 'laptop', ['orders:read', 'orders:update']);
    const integration = await ownPat(tokens.member, 'integration', ['orders:read']);
    const PATS = '/v1/personal-access-tokens';
    const routes: Array<[method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object]> = [
      ['GET', PATS],
      ['GET', `${PATS}/${laptop.id}`],
      ['GET', `${PATS}/${laptop.id}/events`],
      ['POST', `${PATS}/check`, { token: laptop.token }],
      ['POST', PATS, { name: 'more', scopes: ['orders:read'], accountIds: [account] }],
      ['POST', `${PATS}/${laptop.id}/regenerate`],
      ['POST', `${PATS}/${integration.id}/regenerate`],
      ['DELETE', `${PATS}/${laptop.id}`],
      ['DELETE', `${PATS}/${integration.id}`],
    ];
    const before = await counts();
    for (const [method, url, payload] of routes) {
      const res = await call(integration.token, method, url, payload);
      expect({ method, url, status: res.statusCode, error: res.json().error }).toEqual({
        method,
        url,
        status: 403,
        error: 'insufficient_scope',
      });
    }
    expect(await counts()).toEqual(before);
    expect(active(laptop.token) && active(integration.token)).toBe(true);

    // each scope opens its own routes only: a reader lists but does not revoke
    const reader = await ownPat(tokens.member, 'reader', ['personal_access_tokens:read']);
    expect((await call(reader.token, 'GET', PATS)).statusCode).toBe(200);
    expect((await call(reader.token, 'DELETE', `${PATS}/${laptop.id}`)).statusCode).toBe(403);
    const revoker = await ownPat(tokens.member, 'revoker', ['personal_access_tokens:delete']);
    expect((await call(revoker.token, 'GET', PATS)).statusCode).toBe(403);
    expect((await call(revoker.token, 'DELETE', `${PATS}/${laptop.id}`)).statusCode).toBe(204);
  });

  it('2. a token holding only personal_access_tokens:create cannot regenerate a broader PAT (403, nothing appended); a regeneration obeys today’s policy', async () => {
    const broad = await ownPat(tokens.admin, 'admin power', ['users:delete', 'orders:read']);
    const rotator = await ownPat(tokens.admin, 'rotator', ['personal_access_tokens:create']);
    const before = await counts();
    const attack = await call(rotator.token, 'POST', `/v1/personal-access-tokens/${broad.id}/regenerate`);
    expect([attack.statusCode, attack.json().code]).toEqual([403, 'scope_not_held']);
    expect(attack.body).not.toMatch(/lk_pat_/);
    expect(await counts()).toEqual(before);
    expect((await stream(broad.id)).map((e) => e.type)).toEqual(['GrantCreated', 'TokenIssued']);
    expect(active(broad.token)).toBe(true);
    // the admin's full token may
    const renewed = await created(
      await call(tokens.admin, 'POST', `/v1/personal-access-tokens/${broad.id}/regenerate`),
    );
    expect(renewed.token).not.toBe(broad.token);

    // the lifetime is re-checked against today's policy; a new expiry may be given
    const mine = await ownPat(tokens.member, 'thirty days', ['orders:read'], { expiresInDays: 30 });
    const setPolicy = async (policy: object) => {
      expect((await call(tokens.admin, 'PUT', `/v1/accounts/${account}/token-policy`, policy)).statusCode).toBe(200);
      await h.waitForOwnEvents();
    };
    await setPolicy({ whoMayCreate: 'everyone', maxLifetimeDays: 7, contactScopes: [] });
    const tooLong = await call(tokens.member, 'POST', `/v1/personal-access-tokens/${mine.id}/regenerate`);
    expect([tooLong.statusCode, tooLong.json().code]).toEqual([422, 'lifetime_exceeds_maximum']);
    const sooner = await created(
      await call(tokens.member, 'POST', `/v1/personal-access-tokens/${mine.id}/regenerate`, { expiresInDays: 7 }),
    );
    expect(Date.parse(sooner.expiresAt!) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    expect(Date.parse(sooner.expiresAt!) - Date.now()).toBeGreaterThan(6 * 86_400_000);
    await setPolicy({ whoMayCreate: 'administrators', maxLifetimeDays: null, contactScopes: [] });
    const notAdmin = await call(tokens.member, 'POST', `/v1/personal-access-tokens/${mine.id}/regenerate`);
    expect([notAdmin.statusCode, notAdmin.json().code]).toEqual([403, 'pat_creation_forbidden']);
    await setPolicy({ whoMayCreate: 'everyone', maxLifetimeDays: null, contactScopes: [] });
  });

  it('2. an api user’s token is regenerated by an administrator (account route), never beyond the administrator’s token', async () => {
    const robotPat = await created(await forUser(tokens.admin, ids.robot, 'robot 2', ['orders:update']));
    const regenerate = (token: string) =>
      call(token, 'POST', `/v1/accounts/${account}/personal-access-tokens/${robotPat.id}/regenerate`);
    const narrowAdmin = await h.tokenFor(ids.admin, [account], ['account_tokens:create', 'orders:read']);
    const before = await counts();
    const beyond = await regenerate(narrowAdmin);
    expect([beyond.statusCode, beyond.json().code]).toEqual([403, 'scope_not_held']);
    expect(await counts()).toEqual(before);
    const renewed = await created(await regenerate(tokens.admin));
    expect(renewed.id).toBe(robotPat.id);
    const events = await stream(robotPat.id);
    expect(events.map((e) => [e.type, e.data.createdBy ?? e.data.issuedBy ?? e.data.revokedBy])).toEqual([
      ['GrantCreated', ids.admin],
      ['TokenIssued', ids.admin],
      ['TokenRevoked', ids.admin],
      ['TokenIssued', ids.admin],
    ]);
  });

  it('3. an administrator issues for a human only within their own token, and every event and history entry names the administrator', async () => {
    const narrowAdmin = await h.tokenFor(ids.admin, [account], ['account_tokens:create', 'orders:read']);
    const before = await counts();
    const beyond = await forUser(narrowAdmin, ids.member, 'from admin', ['orders:read', 'orders:delete']);
    expect([beyond.statusCode, beyond.json().code]).toEqual([403, 'scope_not_held']);
    // nor as another administrator with what that administrator holds and this token does not
    const secondAdmin = await h.user('human', { [account]: ADMIN });
    const asAdmin = await forUser(narrowAdmin, secondAdmin, 'as admin', ['users:delete']);
    expect([asAdmin.statusCode, asAdmin.json().code]).toEqual([403, 'scope_not_held']);
    expect(await counts()).toEqual(before);

    const given = await created(await forUser(narrowAdmin, ids.member, 'from admin', ['orders:read']));
    expect((await h.ctx.queries.pat(given.id))?.createdBy).toBe(ids.admin);
    expect(
      (await call(tokens.admin, 'DELETE', `/v1/accounts/${account}/personal-access-tokens/${given.id}`)).statusCode,
    ).toBe(204);
    const events = await stream(given.id);
    expect(events.map((e) => e.type)).toEqual(['GrantCreated', 'TokenIssued', 'TokenRevoked', 'GrantRevoked']);
    expect(events.map((e) => e.data.createdBy ?? e.data.issuedBy ?? e.data.revokedBy)).toEqual(
      Array(4).fill(ids.admin),
    );
    expect(events[0].data.userId).toBe(ids.member);
    // the history shows the real actor, to the owner and to administrators alike
    const history = (await call(tokens.member, 'GET', `/v1/personal-access-tokens/${given.id}/events`)).json().items;
    expect(history.map((e: { actor: string }) => e.actor)).toEqual(Array(4).fill(ids.admin));
    expect(
      (await call(tokens.admin, 'GET', `/v1/accounts/${account}/personal-access-tokens/${given.id}/events`)).json()
        .items,
    ).toEqual(history);

    // the owner's own actions name the owner; the platform's reaction names no person
    const own = await ownPat(tokens.member, 'own', ['orders:read']);
    await call(tokens.member, 'DELETE', `/v1/personal-access-tokens/${own.id}`);
    expect((await stream(own.id)).slice(2).map((e) => e.data.revokedBy)).toEqual([ids.member, ids.member]);
    const leaver = await h.user('human', { [account]: MEMBER });
    const leaverPat = await ownPat(await h.tokenFor(leaver, [account], MEMBER), 'leaver', ['orders:read']);
    await h.publish(h.topics.identity, [
      h.factory.event('UserDeactivated', leaver, { userId: leaver, reason: 'left' }),
    ]);
    await waitFor(async () => (await h.ctx.queries.pat(leaverPat.id))?.status === 'revoked', {
      what: 'the reaction to the deactivation',
    });
    const reaction = (await stream(leaverPat.id)).slice(2);
    expect(reaction.map((e) => [e.type, e.data.reason, 'revokedBy' in e.data])).toEqual([
      ['TokenRevoked', 'user_deactivated', false],
      ['GrantRevoked', 'user_deactivated', false],
    ]);
  });

  it('15. an administrator cannot tell a user or token of another account from one that does not exist', async () => {
    const before = await counts();
    const elsewhere = await forUser(tokens.admin, ids.bob, 'probe', ['orders:read']);
    const nobody = await forUser(tokens.admin, randomUUID(), 'probe', ['orders:read']);
    expect(answer(elsewhere)).toEqual(answer(nobody));
    expect(answer(nobody)).toMatchObject({ status: 404, body: { code: 'user_unknown' } });

    // the actor's right comes first: asked for a token in B too, which they do not administer,
    // A's administrator is refused before anything about the user is looked at
    const probeBoth = (userId: string) =>
      call(tokens.admin, 'POST', `/v1/accounts/${account}/users/${userId}/personal-access-tokens`, {
        name: 'probe',
        scopes: ['orders:read'],
        accountIds: [account, other],
        expiresInDays: 1,
      });
    const a = await probeBoth(ids.bob);
    const b = await probeBoth(randomUUID());
    expect(answer(a)).toEqual(answer(b));
    expect(answer(a)).toMatchObject({ status: 403, body: { code: 'not_allowed_for_others' } });

    const bobPat = await created(
      await call(tokens.bob, 'POST', '/v1/personal-access-tokens', {
        name: 'bob’s',
        scopes: ['orders:read'],
        accountIds: [other],
      }),
    );
    const ADMIN_PATS = `/v1/accounts/${account}/personal-access-tokens`;
    for (const [method, path] of [
      ['POST', '/regenerate'],
      ['DELETE', ''],
      ['GET', '/events'],
    ] as const) {
      const theirs = await call(tokens.admin, method, `${ADMIN_PATS}/${bobPat.id}${path}`);
      const none = await call(tokens.admin, method, `${ADMIN_PATS}/${randomUUID()}${path}`);
      expect({ method, path, ...answer(theirs) }).toEqual({ method, path, ...answer(none) });
      expect(none.statusCode).toBe(404);
    }
    const listed = (await call(tokens.admin, 'GET', `${ADMIN_PATS}?limit=200`)).json().items;
    expect(listed.map((p: { id: string }) => p.id)).not.toContain(bobPat.id);
    expect((await stream(bobPat.id)).map((e) => e.type)).toEqual(['GrantCreated', 'TokenIssued']);
    const after = await counts();
    expect(Number(after.events)).toBe(Number(before.events) + 2); // bob's own creation only
  });
});

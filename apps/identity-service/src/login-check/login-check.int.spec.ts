import { IdentityHarness, INTERNAL_TOKEN } from '../testing/identity-harness';

/**
 * The lockout as token-service meets it: parallel requests on the internal listener, against the
 * real service on PostgreSQL (cheap argon2 parameters: this file is about counting).
 */
describe('identity-service login check lockout over HTTP (real PostgreSQL + Kafka)', () => {
  const h = new IdentityHarness();
  const PASSWORD = 'grace correct horse battery';

  beforeAll(async () => {
    await h.startService({}, { hasher: { memoryCost: 256, timeCost: 1, parallelism: 1 } });
    const admin = await h.admin();
    const register = (payload: object) =>
      h.app.inject({
        method: 'POST',
        url: `/v1/accounts/${admin.accountId}/users`,
        headers: { authorization: `Bearer ${admin.token}` },
        payload,
      });
    const grace = await register({
      kind: 'human',
      email: 'grace@example.com',
      displayName: 'Grace',
      roles: ['member'],
      password: PASSWORD,
    });
    expect(grace.statusCode).toBe(201);
    const bot = await register({
      kind: 'api',
      email: 'deploy-bot@example.com',
      displayName: 'Deploy',
      roles: ['api_user'],
    });
    expect(bot.statusCode).toBe(201);
  }, 120_000);
  afterAll(() => h.stopService());

  const check = (email: string, password: string, clientAddress: string) =>
    h.internal
      .inject({
        method: 'POST',
        url: '/internal/login-check',
        headers: { authorization: `Bearer ${INTERNAL_TOKEN}` },
        payload: { email, password, clientAddress },
      })
      .then((res) => {
        expect(res.statusCode).toBe(200);
        return res.json() as { ok: boolean; reason?: string };
      });
  const tally = (answers: Array<{ ok: boolean; reason?: string }>) =>
    answers.reduce<Record<string, number>>((t, a) => {
      const k = a.ok ? 'ok' : a.reason!;
      t[k] = (t[k] ?? 0) + 1;
      return t;
    }, {});

  it('30 wrong passwords sent at once: exactly 5 are checked, 25 answered locked, and then the right one is locked too', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => check('grace@example.com', `wrong guess number ${i}`, '198.51.100.10')),
    );
    expect(tally(answers)).toEqual({ invalid_credentials: 5, locked: 25 });
    await expect(check('grace@example.com', PASSWORD, '198.51.100.11')).resolves.toEqual({
      ok: false,
      reason: 'locked',
    });
  });

  it('an api user’s e-mail answers exactly like an unknown one, lockout included', async () => {
    const burst = (email: string, address: string) =>
      Promise.all(Array.from({ length: 12 }, (_, i) => check(email, `wrong guess number ${i}`, address)));
    const api = tally(await burst('deploy-bot@example.com', '198.51.100.20'));
    const unknown = tally(await burst('nobody-at-all@example.com', '198.51.100.21'));
    expect(api).toEqual({ invalid_credentials: 5, locked: 7 });
    expect(unknown).toEqual(api);
  });
});

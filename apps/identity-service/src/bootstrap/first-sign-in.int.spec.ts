import { ADMIN_EMAIL, IdentityHarness } from '../testing/identity-harness';

/** The bootstrap administrator's first sign-in link, when no password was configured (real PostgreSQL + Kafka). */
describe('first sign-in without BOOTSTRAP_ADMIN_PASSWORD', () => {
  const h = new IdentityHarness();
  const printed: string[] = [];
  let code = '';

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return write(chunk);
    });
    try {
      await h.startService({ BOOTSTRAP_ADMIN_PASSWORD: '', CONSOLE_URL: 'http://127.0.0.1:3000' });
    } finally {
      spy.mockRestore();
    }
    code = /\/setup\?code=([A-Za-z0-9_-]+)/.exec(printed.join(''))?.[1] ?? '';
  }, 120_000);
  afterAll(() => h.stopService());

  const redeem = (body: object) => h.app.inject({ method: 'POST', url: '/v1/first-sign-in', payload: body });

  it('prints a one-time link to the console’s /setup page at start, and keeps only the code’s hash', async () => {
    expect(code).toHaveLength(43);
    expect(printed.join('')).toContain(`to choose the password of ${ADMIN_EMAIL}`);
    const rows = await h.ctx.runtime.dataSource.query('SELECT * FROM first_sign_in');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it('the code buys the first password once: then the administrator signs in with it, and the link is dead', async () => {
    const password = 'a first password, chosen';
    const first = await redeem({ code, password });
    expect(first.statusCode).toBe(204);
    const { userId } = await h.admin();
    expect(await h.ctx.loginChecker.check({ email: ADMIN_EMAIL, password })).toMatchObject({ ok: true, userId });
    const again = await redeem({ code, password: 'another password here' });
    expect([again.statusCode, again.json().code]).toEqual([400, 'first_sign_in_invalid']);
    // a code issued while the administrator has a password cannot replace it
    const late = await h.ctx.firstSignIn.issue(userId);
    const refused = await redeem({ code: late, password: 'another password here' });
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'first_sign_in_invalid']);
    expect(await h.ctx.loginChecker.check({ email: ADMIN_EMAIL, password })).toMatchObject({ ok: true });
  });

  it('refuses a made-up code and a short password in words, never a 500', async () => {
    const madeUp = await redeem({ code: 'x'.repeat(43), password: 'a first password, chosen' });
    expect([madeUp.statusCode, madeUp.json().code]).toEqual([400, 'first_sign_in_invalid']);
    const malformed = await redeem({ code: 'short', password: 'short' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
  });
});

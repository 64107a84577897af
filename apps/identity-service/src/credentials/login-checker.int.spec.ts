import { randomUUID } from 'node:crypto';
import { eventStoreMigrations } from '@latchkey/eventstore';
import { createTestDatabase, waitFor, type TestDatabase } from '@latchkey/testing';
import { CredentialStore, CredentialStoreError } from './credential-store';
import { CreateCredentials1764100000000 } from './credentials.migration';
import { LoginChecker, userAttemptKey, type LoginPolicy, type LoginResult, type LoginUser } from './login-checker';
import { PasswordHasher } from './password-hasher';

// Cheap argon2 parameters: this file is about the logic; login-timing.int.spec.ts runs OWASP's.
const CHEAP = { memoryCost: 256, timeCost: 1, parallelism: 1 };
const WINDOW = 15 * 60_000;
const LOCKOUT = 15 * 60_000;

const PASSWORDS = {
  alice: 'alice correct horse battery',
  carol: 'carol correct horse battery',
  api: 'api-client correct horse battery',
  dave: 'dave correct horse battery',
  weak: 'weakly hashed correct horse',
};
const WRONG = 'definitely not the password';

describe('LoginChecker (real PostgreSQL)', () => {
  let db: TestDatabase;
  let hasher: PasswordHasher;
  let store: CredentialStore;
  let nowMs: number;
  const clock = { now: () => new Date(nowMs) };
  const logs: string[] = [];
  const logger = { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };

  const users = new Map<string, LoginUser>();
  const user = (email: string, kind: LoginUser['kind'], active = true): LoginUser => {
    const u = { userId: randomUUID(), kind, active };
    users.set(email, u);
    return u;
  };
  const alice = user('alice@example.com', 'human');
  const carol = user('carol@example.com', 'contact');
  const api = user('ci-bot@example.com', 'api');
  const dave = user('dave@example.com', 'human', false);
  user('erin@example.com', 'human'); // erin has no password
  const weak = user('weak@example.com', 'human');
  const allEmails = [...users.keys(), 'nobody@example.com', 'mallory@example.com'];

  const findUserByEmail = jest.fn(async (email: string) => users.get(email) ?? null);

  const checker = (policy: Partial<LoginPolicy> = {}, pruneEveryMs = 365 * 24 * 3600_000) =>
    new LoginChecker({
      hasher,
      store,
      dataSource: db.dataSource,
      findUserByEmail,
      clock,
      logger,
      policy: { windowMs: WINDOW, lockoutMs: LOCKOUT, ...policy },
      // No background prune while a test moves the clock around, unless the test asks for one.
      pruneEveryMs,
    });

  const attempts = async () =>
    new Map<string, { failures: number; locked_until: Date | null; window_started_at: Date }>(
      (await db.dataSource.query('SELECT key, failures, window_started_at, locked_until FROM login_attempts')).map(
        (r: { key: string; failures: number; locked_until: Date | null; window_started_at: Date }) => [r.key, r],
      ),
    );

  beforeAll(async () => {
    db = await createTestDatabase([...eventStoreMigrations, CreateCredentials1764100000000]);
    hasher = await PasswordHasher.create(CHEAP);
    store = new CredentialStore(db.dataSource);
    await store.setPassword(alice.userId, await hasher.hash(PASSWORDS.alice));
    await store.setPassword(carol.userId, await hasher.hash(PASSWORDS.carol));
    await store.setPassword(api.userId, await hasher.hash(PASSWORDS.api));
    await store.setPassword(dave.userId, await hasher.hash(PASSWORDS.dave));
  });
  afterAll(() => db?.drop());

  beforeEach(async () => {
    nowMs = Date.parse('2025-11-25T12:00:00Z');
    await db.dataSource.query('DELETE FROM login_attempts');
    jest.restoreAllMocks();
  });

  /** Counts the argon2 verifies a check runs (the real one or the dummy one). */
  const countVerifies = () => {
    const real = jest.spyOn(hasher, 'verify');
    const dummy = jest.spyOn(hasher, 'verifyDummy');
    return () => ({ real: real.mock.calls.length, dummy: dummy.mock.calls.length });
  };

  it('given a human or a contact user with the right password, then ok with the user id and kind (e-mail case-insensitive)', async () => {
    const c = checker();
    await expect(
      c.check({ email: '  Alice@Example.COM ', password: PASSWORDS.alice, clientAddress: '10.0.0.1' }),
    ).resolves.toEqual({
      ok: true,
      userId: alice.userId,
      kind: 'human',
    });
    expect(findUserByEmail).toHaveBeenLastCalledWith('alice@example.com');
    await expect(c.check({ email: 'carol@example.com', password: PASSWORDS.carol })).resolves.toEqual({
      ok: true,
      userId: carol.userId,
      kind: 'contact',
    });
  });

  it.each([
    ['unknown user', 'nobody@example.com', WRONG],
    ['wrong password', 'alice@example.com', WRONG],
    ['api user, right password', 'ci-bot@example.com', PASSWORDS.api],
    ['deactivated user, right password', 'dave@example.com', PASSWORDS.dave],
    ['user without a password', 'erin@example.com', WRONG],
    ['empty e-mail', '', WRONG],
    ['over-long password', 'alice@example.com', 'x'.repeat(100_000)],
  ])('given %s, then invalid_credentials after exactly one argon2 verify', async (_case, email, password) => {
    const verifies = countVerifies();
    await expect(checker().check({ email, password, clientAddress: '10.0.0.2' })).resolves.toEqual({
      ok: false,
      reason: 'invalid_credentials',
    });
    const { real, dummy } = verifies();
    if (password.length > 1000)
      expect({ real, dummy }).toEqual({ real: 1, dummy: 1 }); // verify() refuses the input and spends its one verify on the dummy
    else if (email === 'alice@example.com') expect({ real, dummy }).toEqual({ real: 1, dummy: 0 });
    else expect({ real, dummy }).toEqual({ real: 0, dummy: 1 });
  });

  it('given maxFailuresPerUser wrong passwords, then the e-mail is locked (even for the right password) until lockoutMs passed', async () => {
    const c = checker();
    for (let i = 1; i <= 5; i++) {
      await expect(
        c.check({ email: 'alice@example.com', password: WRONG, clientAddress: `10.1.0.${i}` }),
      ).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
    }
    const row = (await attempts()).get(userAttemptKey('alice@example.com'))!;
    expect(row.failures).toBe(5);
    expect(row.locked_until).toEqual(new Date(nowMs + LOCKOUT));

    const verifies = countVerifies();
    await expect(
      c.check({ email: 'alice@example.com', password: PASSWORDS.alice, clientAddress: '10.1.1.1' }),
    ).resolves.toEqual({ ok: false, reason: 'locked' });
    expect(verifies()).toEqual({ real: 0, dummy: 1 }); // the time of a verify is spent, without verifying
    expect((await attempts()).get(userAttemptKey('alice@example.com'))!.failures).toBe(5); // locked attempts are not counted

    nowMs += LOCKOUT - 1;
    await expect(c.check({ email: 'alice@example.com', password: PASSWORDS.alice })).resolves.toEqual({
      ok: false,
      reason: 'locked',
    });
    nowMs += 1;
    await expect(c.check({ email: 'alice@example.com', password: PASSWORDS.alice })).resolves.toMatchObject({
      ok: true,
      userId: alice.userId,
    });
  });

  it('after an expired lock, counting starts again from one', async () => {
    const c = checker();
    for (let i = 0; i < 5; i++) await c.check({ email: 'alice@example.com', password: WRONG });
    nowMs += LOCKOUT;
    await expect(c.check({ email: 'alice@example.com', password: WRONG })).resolves.toEqual({
      ok: false,
      reason: 'invalid_credentials',
    });
    const row = (await attempts()).get(userAttemptKey('alice@example.com'))!;
    expect(row).toMatchObject({ failures: 1, locked_until: null });
    expect(row.window_started_at).toEqual(new Date(nowMs));
  });

  it('failures older than the window no longer count', async () => {
    const c = checker();
    for (let i = 0; i < 4; i++) await c.check({ email: 'alice@example.com', password: WRONG });
    nowMs += WINDOW;
    for (let i = 0; i < 4; i++) await c.check({ email: 'alice@example.com', password: WRONG });
    expect((await attempts()).get(userAttemptKey('alice@example.com'))).toMatchObject({
      failures: 4,
      locked_until: null,
    });
    await expect(c.check({ email: 'alice@example.com', password: PASSWORDS.alice })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('an unknown e-mail locks exactly like a known one (lockout does not reveal existence)', async () => {
    const c = checker();
    for (let i = 0; i < 5; i++) await c.check({ email: 'nobody@example.com', password: WRONG });
    await expect(c.check({ email: 'NOBODY@example.com', password: WRONG })).resolves.toEqual({
      ok: false,
      reason: 'locked',
    });
  });

  it('given maxFailuresPerAddress failures from one address (any e-mails), then that address is locked, other addresses are not', async () => {
    const c = checker({ maxFailuresPerAddress: 4 });
    const emails = ['nobody@example.com', 'alice@example.com', 'carol@example.com', 'mallory@example.com'];
    for (const email of emails)
      await expect(c.check({ email, password: WRONG, clientAddress: '203.0.113.7' })).resolves.toEqual({
        ok: false,
        reason: 'invalid_credentials',
      });
    expect((await attempts()).get('addr:203.0.113.7')).toMatchObject({
      failures: 4,
      locked_until: new Date(nowMs + LOCKOUT),
    });

    await expect(
      c.check({ email: 'carol@example.com', password: PASSWORDS.carol, clientAddress: '203.0.113.7' }),
    ).resolves.toEqual({ ok: false, reason: 'locked' });
    await expect(
      c.check({ email: 'carol@example.com', password: PASSWORDS.carol, clientAddress: '203.0.113.8' }),
    ).resolves.toMatchObject({ ok: true });
    await expect(c.check({ email: 'carol@example.com', password: PASSWORDS.carol })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('an api user’s e-mail is counted and locked exactly like an unknown one (the lockout does not reveal api users)', async () => {
    const c = checker();
    const run = async (email: string, address: string) => {
      const answers: LoginResult[] = [];
      for (let i = 0; i < 6; i++) answers.push(await c.check({ email, password: WRONG, clientAddress: address }));
      // the right password of the api user does not help either
      answers.push(
        await c.check({
          email,
          password: email === 'ci-bot@example.com' ? PASSWORDS.api : WRONG,
          clientAddress: address,
        }),
      );
      const row = (await attempts()).get(userAttemptKey(email))!;
      return { answers, failures: row.failures, lockedFor: row.locked_until!.getTime() - nowMs };
    };
    const api = await run('ci-bot@example.com', '198.51.100.1');
    const unknown = await run('nobody@example.com', '198.51.100.2');
    expect(api).toEqual(unknown);
    expect(api.answers.map((a) => (a.ok ? 'ok' : a.reason))).toEqual([
      ...Array(5).fill('invalid_credentials'),
      'locked',
      'locked',
    ]);
    expect(api).toMatchObject({ failures: 5, lockedFor: LOCKOUT });
    const rows = await attempts();
    expect(rows.get('addr:198.51.100.1')).toMatchObject({ failures: 5 }); // the locked attempts counted nowhere
  });

  it('an api user, an unknown e-mail and a wrong password cost the same: one argon2 verify, the same database round trips', async () => {
    const c = checker();
    const cost = async (email: string, password: string) => {
      const queries = jest.spyOn(db.dataSource, 'query');
      const lookups = findUserByEmail.mock.calls.length;
      const verifies = countVerifies();
      const answer = await c.check({ email, password, clientAddress: '192.0.2.50' });
      const figures = {
        answer,
        queries: queries.mock.calls.length,
        lookups: findUserByEmail.mock.calls.length - lookups,
        verifies: Object.values(verifies()).reduce((a, b) => a + b, 0),
      };
      jest.restoreAllMocks();
      return figures;
    };
    const api = await cost('ci-bot@example.com', PASSWORDS.api);
    const unknown = await cost('nobody@example.com', WRONG);
    const wrong = await cost('alice@example.com', WRONG);
    const deactivated = await cost('dave@example.com', PASSWORDS.dave);
    expect(api).toEqual({ answer: { ok: false, reason: 'invalid_credentials' }, queries: 3, lookups: 1, verifies: 1 });
    expect(unknown).toEqual(api);
    expect(wrong).toEqual(api);
    expect(deactivated).toEqual(api);
  });

  it('a success resets the e-mail failures but not the address failures', async () => {
    const c = checker();
    for (let i = 0; i < 4; i++)
      await c.check({ email: 'alice@example.com', password: WRONG, clientAddress: '192.0.2.1' });
    await expect(
      c.check({ email: 'alice@example.com', password: PASSWORDS.alice, clientAddress: '192.0.2.1' }),
    ).resolves.toMatchObject({ ok: true });
    let rows = await attempts();
    expect(rows.has(userAttemptKey('alice@example.com'))).toBe(false);
    expect(rows.get('addr:192.0.2.1')).toMatchObject({ failures: 4 });

    for (let i = 0; i < 4; i++) {
      await expect(c.check({ email: 'alice@example.com', password: WRONG })).resolves.toEqual({
        ok: false,
        reason: 'invalid_credentials',
      });
    }
    rows = await attempts();
    expect(rows.get(userAttemptKey('alice@example.com'))).toMatchObject({ failures: 4, locked_until: null });
  });

  it('rehashes on a successful login when the stored hash is weaker than the current parameters', async () => {
    const weaker = new PasswordHasher({ memoryCost: 64, timeCost: 1, parallelism: 1 });
    const old = await weaker.hash(PASSWORDS.weak);
    await store.setPassword(weak.userId, old);
    expect(hasher.needsRehash(old)).toBe(true);

    await expect(checker().check({ email: 'weak@example.com', password: PASSWORDS.weak })).resolves.toMatchObject({
      ok: true,
      userId: weak.userId,
    });
    const now = (await store.hashOf(weak.userId))!;
    expect(now).not.toBe(old);
    expect(now).toMatch(/^\$argon2id\$v=19\$m=256,t=1,p=1\$/);
    expect(hasher.needsRehash(now)).toBe(false);

    // A current hash is left alone.
    await checker().check({ email: 'weak@example.com', password: PASSWORDS.weak });
    await expect(store.hashOf(weak.userId)).resolves.toBe(now);
  });

  it('20 parallel wrong attempts count exactly 20 failures per e-mail and per address', async () => {
    const c = checker({ maxFailuresPerUser: 1000, maxFailuresPerAddress: 1000 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        c.check({ email: 'alice@example.com', password: WRONG, clientAddress: '10.9.9.9' }),
      ),
    );
    expect(results.every((r) => !r.ok && r.reason === 'invalid_credentials')).toBe(true);
    const rows = await attempts();
    expect(rows.get(userAttemptKey('alice@example.com'))).toMatchObject({ failures: 20, locked_until: null });
    expect(rows.get('addr:10.9.9.9')).toMatchObject({ failures: 20, locked_until: null });
  });

  it('20 parallel wrong attempts with maxFailuresPerUser 5 lock exactly once, at the max, and every attempt is answered', async () => {
    const c = checker();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.check({ email: 'alice@example.com', password: WRONG })),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    const row = (await attempts()).get(userAttemptKey('alice@example.com'))!;
    const answeredInvalid = results.filter((r) => !r.ok && r.reason === 'invalid_credentials').length;
    expect(row.failures).toBe(answeredInvalid); // every verified attempt was counted, none twice
    expect(row.failures).toBe(5); // no attempt got past the limit
    expect(row.locked_until).toEqual(new Date(nowMs + LOCKOUT));
    await expect(c.check({ email: 'alice@example.com', password: PASSWORDS.alice })).resolves.toEqual({
      ok: false,
      reason: 'locked',
    });
  });

  it('30 wrong guesses fired in parallel reach argon2 at most 5 times; a right password sent while they run is locked out', async () => {
    const c = checker();
    // Hold every real verification until all 30 guesses have been answered or are verifying, so
    // that every guess and the right password overlap (a check-then-count lockout lets all through).
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const realVerify = hasher.verify.bind(hasher);
    const verify = jest.spyOn(hasher, 'verify').mockImplementation(async (hash, password) => {
      await gate;
      return realVerify(hash, password);
    });
    const dummy = jest.spyOn(hasher, 'verifyDummy');
    const guesses = Array.from({ length: 30 }, (_, i) =>
      c.check({ email: 'alice@example.com', password: `${WRONG} ${i}`, clientAddress: '10.30.0.1' }),
    );
    await waitFor(() => verify.mock.calls.length + dummy.mock.calls.length === 30);
    const right = c.check({ email: 'alice@example.com', password: PASSWORDS.alice, clientAddress: '10.30.0.2' });
    await waitFor(() => verify.mock.calls.length + dummy.mock.calls.length === 31);
    release();
    const answers = await Promise.all(guesses);

    expect(await right).toEqual({ ok: false, reason: 'locked' });
    expect(verify.mock.calls.length).toBe(5); // the password was checked 5 times, never more
    expect(answers.filter((a) => !a.ok && a.reason === 'invalid_credentials')).toHaveLength(5);
    expect(answers.filter((a) => !a.ok && a.reason === 'locked')).toHaveLength(25);
    const rows = await attempts();
    expect(rows.get(userAttemptKey('alice@example.com'))).toMatchObject({
      failures: 5,
      locked_until: new Date(nowMs + LOCKOUT),
    });
    expect(rows.get('addr:10.30.0.1')).toMatchObject({ failures: 5 }); // refused attempts are given back
    expect(rows.get('addr:10.30.0.2')).toMatchObject({ failures: 0 });
  });

  it('a right password among parallel wrong ones, before the limit, logs in and resets the e-mail count', async () => {
    const c = checker();
    const answers = await Promise.all([
      c.check({ email: 'carol@example.com', password: WRONG, clientAddress: '10.31.0.1' }),
      c.check({ email: 'carol@example.com', password: WRONG, clientAddress: '10.31.0.1' }),
      c.check({ email: 'carol@example.com', password: PASSWORDS.carol, clientAddress: '10.31.0.1' }),
    ]);
    expect(answers[2]).toMatchObject({ ok: true, userId: carol.userId });
    expect(answers.slice(0, 2)).toEqual([
      { ok: false, reason: 'invalid_credentials' },
      { ok: false, reason: 'invalid_credentials' },
    ]);
    // the success gave its address reservation back: only the two failures stay counted there
    expect((await attempts()).get('addr:10.31.0.1')).toMatchObject({ failures: 2, locked_until: null });
  });

  it('a success that reached the address limit gives the lock back: the address is not locked by it', async () => {
    const c = checker({ maxFailuresPerAddress: 3 });
    for (const email of ['nobody@example.com', 'mallory@example.com'])
      await c.check({ email, password: WRONG, clientAddress: '10.32.0.1' });
    await expect(
      c.check({ email: 'alice@example.com', password: PASSWORDS.alice, clientAddress: '10.32.0.1' }),
    ).resolves.toMatchObject({ ok: true });
    expect((await attempts()).get('addr:10.32.0.1')).toMatchObject({ failures: 2, locked_until: null });
    await expect(
      c.check({ email: 'carol@example.com', password: PASSWORDS.carol, clientAddress: '10.32.0.1' }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('prune deletes the rows whose window has passed and whose lock has ended, and nothing that still counts', async () => {
    const c = checker({ maxFailuresPerUser: 2 });
    const t0 = nowMs;
    const minutes = (n: number) => new Date(t0 + n * 60_000);
    await c.check({ email: 'old@example.com', password: WRONG, clientAddress: '10.40.0.1' });
    nowMs = minutes(5).getTime();
    for (let i = 0; i < 2; i++) await c.check({ email: 'locked@example.com', password: WRONG }); // locked until t0 + 20
    nowMs = minutes(14).getTime();
    await c.check({ email: 'recent@example.com', password: WRONG });
    const keys = async () => [...(await attempts()).keys()].sort();

    await expect(c.prune(new Date(minutes(15).getTime() - 1))).resolves.toBe(0);
    await expect(c.prune(minutes(15))).resolves.toBe(2); // 'old' and its address: their window has passed
    expect(await keys()).toEqual([userAttemptKey('locked@example.com'), userAttemptKey('recent@example.com')].sort());
    await expect(c.prune(new Date(minutes(20).getTime() - 1))).resolves.toBe(0); // 'locked' is still locked
    await expect(c.prune(minutes(20))).resolves.toBe(1);
    await expect(c.prune(minutes(29))).resolves.toBe(1); // 'recent'
    expect(await keys()).toEqual([]);
  });

  it('a lock that outlasts its window keeps the row until the lock ends', async () => {
    const lockoutMs = 3 * WINDOW;
    const c = new LoginChecker({
      hasher,
      store,
      dataSource: db.dataSource,
      findUserByEmail,
      clock,
      policy: { windowMs: WINDOW, lockoutMs, maxFailuresPerUser: 1 }, // locked at the first failure
      pruneEveryMs: 365 * 24 * 3600_000,
    });
    const t0 = nowMs;
    await c.check({ email: 'alice@example.com', password: WRONG });
    await expect(c.prune(new Date(t0 + WINDOW))).resolves.toBe(0);
    await expect(c.prune(new Date(t0 + lockoutMs - 1))).resolves.toBe(0);
    nowMs = t0 + lockoutMs - 1;
    await expect(c.check({ email: 'alice@example.com', password: PASSWORDS.alice })).resolves.toEqual({
      ok: false,
      reason: 'locked',
    });
    await expect(c.prune(new Date(t0 + lockoutMs))).resolves.toBe(1);
  });

  it('the checker prunes by itself: the first check after pruneEveryMs deletes the expired rows, without waiting for it', async () => {
    const c = checker({}, 60_000);
    await c.check({ email: 'nobody@example.com', password: WRONG, clientAddress: '10.41.0.1' });
    expect(c.pruning).toBeNull(); // not due yet
    expect((await attempts()).size).toBe(2);
    nowMs += WINDOW + 60_000;
    await c.check({ email: 'mallory@example.com', password: WRONG });
    await waitFor(async () => c.pruning === null && !(await attempts()).has(userAttemptKey('nobody@example.com')));
    expect([...(await attempts()).keys()]).toEqual([userAttemptKey('mallory@example.com')]);
    expect(logs.some((line) => /pruned 2 expired rows/.test(line))).toBe(true);
  });

  it('login_attempts stays bounded: 200 e-mails guessed an hour ago leave nothing behind after a prune', async () => {
    const c = checker();
    for (let i = 0; i < 200; i++)
      await c.check({ email: `spray-${i}@example.com`, password: WRONG, clientAddress: `10.50.${i % 4}.1` });
    expect((await attempts()).size).toBe(204);
    nowMs += 60 * 60_000;
    await expect(c.prune()).resolves.toBe(204);
    expect((await attempts()).size).toBe(0);
  });

  it('the tables hold no e-mail and no password in clear, and the logs neither an e-mail, a password nor a hash', async () => {
    logs.length = 0;
    const c = checker({ maxFailuresPerUser: 2 });
    for (const email of allEmails) {
      await c.check({ email, password: WRONG, clientAddress: '10.7.7.7' });
      await c.check({ email, password: WRONG, clientAddress: '10.7.7.7' });
      await c.check({ email, password: WRONG, clientAddress: '10.7.7.7' });
    }
    await c.check({ email: 'weak@example.com', password: PASSWORDS.weak });

    const attemptRows: Array<Record<string, unknown>> = await db.dataSource.query('SELECT * FROM login_attempts');
    const credentialRows: Array<{ user_id: string; password_hash: string }> =
      await db.dataSource.query('SELECT * FROM credentials');
    expect(attemptRows.length).toBe(allEmails.length + 1); // one per e-mail (the api user's too), plus the address
    for (const row of attemptRows) expect(row.key).toMatch(/^(user:[0-9a-f]{64}|addr:10\.7\.7\.7)$/);
    for (const row of credentialRows)
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);

    const dump = JSON.stringify([attemptRows, credentialRows]).toLowerCase();
    const logDump = logs.join('\n').toLowerCase();
    expect(logs.length).toBeGreaterThan(0);
    for (const email of allEmails) {
      for (const needle of [email, email.split('@')[0]!]) {
        expect(dump).not.toContain(needle);
        expect(logDump).not.toContain(needle);
      }
    }
    for (const password of [...Object.values(PASSWORDS), WRONG]) {
      expect(dump).not.toContain(password.toLowerCase());
      expect(logDump).not.toContain(password.toLowerCase());
    }
    for (const { password_hash } of credentialRows)
      expect(logDump).not.toContain(password_hash.toLowerCase().split('$')[5]!);
  });
});

describe('CredentialStore (real PostgreSQL)', () => {
  let db: TestDatabase;
  let store: CredentialStore;
  let hasher: PasswordHasher;

  beforeAll(async () => {
    db = await createTestDatabase([CreateCredentials1764100000000]);
    store = new CredentialStore(db.dataSource);
    hasher = await PasswordHasher.create(CHEAP);
  });
  afterAll(() => db?.drop());

  it('sets, replaces, reads and removes a password hash', async () => {
    const id = randomUUID();
    await expect(store.hashOf(id)).resolves.toBeNull();
    const first = await hasher.hash('first password here');
    await store.setPassword(id, first);
    await expect(store.hashOf(id)).resolves.toBe(first);
    const second = await hasher.hash('second password here');
    await store.setPassword(id, second);
    await expect(store.hashOf(id)).resolves.toBe(second);
    await expect(store.remove(id)).resolves.toBe(true);
    await expect(store.remove(id)).resolves.toBe(false);
    await expect(store.hashOf(id)).resolves.toBeNull();
  });

  it('writes inside the caller’s transaction when given its manager', async () => {
    const id = randomUUID();
    const h = await hasher.hash('transactional password');
    await expect(
      db.dataSource.transaction(async (manager) => {
        await store.setPassword(id, h, manager);
        await expect(store.hashOf(id, manager)).resolves.toBe(h);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await expect(store.hashOf(id)).resolves.toBeNull();
  });

  it('refuses anything that is not an argon2 hash (a plaintext password can never be stored by mistake)', async () => {
    await expect(store.setPassword(randomUUID(), 'correct horse battery staple')).rejects.toThrow(TypeError);
    await expect(store.setPassword('not-a-uuid', await hasher.hash('some password here'))).rejects.toThrow(TypeError);
  });

  it('database errors carry no query parameters (so never the hash)', async () => {
    const h = await hasher.hash('some password here');
    await db.dataSource.query('ALTER TABLE credentials ADD CONSTRAINT no_writes CHECK (false) NOT VALID');
    try {
      const err: unknown = await store.setPassword(randomUUID(), h).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CredentialStoreError);
      expect((err as CredentialStoreError).code).toBe('23514');
      expect(JSON.stringify(err)).not.toContain(h);
      expect(String(err)).not.toContain(h);
      expect((err as Error).stack).not.toContain(h);
    } finally {
      await db.dataSource.query('ALTER TABLE credentials DROP CONSTRAINT no_writes');
    }
  });
});

describe('CreateCredentials1764100000000 (real PostgreSQL)', () => {
  it('creates credentials and login_attempts, and down drops them', async () => {
    const db = await createTestDatabase([...eventStoreMigrations, CreateCredentials1764100000000]);
    try {
      const tables = async () =>
        (
          await db.dataSource.query(
            `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY 1`,
            [['credentials', 'login_attempts']],
          )
        ).map((r: { table_name: string }) => r.table_name);
      expect(await tables()).toEqual(['credentials', 'login_attempts']);
      await db.dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

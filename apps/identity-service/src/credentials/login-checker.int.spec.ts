import { randomUUID } from 'node:crypto';
import { eventStoreMigrations } from '@latchkey/eventstore';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import { CredentialStore, CredentialStoreError } from './credential-store';
import { CreateCredentials1764100000000 } from './credentials.migration';
import { LoginChecker, userAttemptKey, type LoginPolicy, type LoginUser } from './login-checker';
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

  const checker = (policy: Partial<LoginPolicy> = {}) =>
    new LoginChecker({
      hasher,
      store,
      dataSource: db.dataSource,
      findUserByEmail,
      clock,
      logger,
      policy: { windowMs: WINDOW, lockoutMs: LOCKOUT, ...policy },
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

  it('an api user is never locked: failures against its e-mail are not counted on its key, the answer stays invalid_credentials', async () => {
    const c = checker();
    for (let i = 0; i < 12; i++) {
      await expect(
        c.check({ email: 'ci-bot@example.com', password: WRONG, clientAddress: '198.51.100.1' }),
      ).resolves.toEqual({ ok: false, reason: 'invalid_credentials' });
    }
    await expect(c.check({ email: 'ci-bot@example.com', password: PASSWORDS.api })).resolves.toEqual({
      ok: false,
      reason: 'invalid_credentials',
    });
    const rows = await attempts();
    expect(rows.has(userAttemptKey('ci-bot@example.com'))).toBe(false);
    expect(rows.get('addr:198.51.100.1')).toMatchObject({ failures: 12 }); // the attacker's address still counts
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
    expect(row.failures).toBeGreaterThanOrEqual(5);
    expect(row.locked_until).toEqual(new Date(nowMs + LOCKOUT)); // not pushed further by attempts that raced past the check
    await expect(c.check({ email: 'alice@example.com', password: PASSWORDS.alice })).resolves.toEqual({
      ok: false,
      reason: 'locked',
    });
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
    expect(attemptRows.length).toBe(allEmails.length); // one per e-mail but the api user's, plus the address
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

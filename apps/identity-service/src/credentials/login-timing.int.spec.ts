import { randomUUID } from 'node:crypto';
import { eventStoreMigrations } from '@latchkey/eventstore';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import { CredentialStore } from './credential-store';
import { CreateCredentials1764100000000 } from './credentials.migration';
import { LoginChecker, type LoginUser } from './login-checker';
import { PasswordHasher } from './password-hasher';

const SAMPLES = 200; // alternating: 100 unknown-user, 100 wrong-password checks
const WARMUP = 5;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

describe('login timing, OWASP argon2id parameters (real PostgreSQL)', () => {
  let db: TestDatabase;
  let checker: LoginChecker;

  beforeAll(async () => {
    db = await createTestDatabase([...eventStoreMigrations, CreateCredentials1764100000000]);
    const hasher = await PasswordHasher.create(); // the defaults: m=19456, t=2, p=1
    const store = new CredentialStore(db.dataSource);
    // One known user per sample, so that every check, known e-mail or not, is the first attempt on
    // its e-mail (an enumeration's situation: same INSERT path into login_attempts on both sides).
    const hash = await hasher.hash('the users correct horse battery');
    const users = new Map<string, LoginUser>();
    for (let i = 0; i < SAMPLES / 2 + WARMUP; i++) {
      const user: LoginUser = { userId: randomUUID(), kind: 'human', active: true };
      await store.setPassword(user.userId, hash);
      users.set(`user-${i}@example.com`, user);
    }
    checker = new LoginChecker({
      hasher,
      store,
      dataSource: db.dataSource,
      findUserByEmail: async (email) => users.get(email) ?? null,
      // Nothing may lock during the measurement.
      policy: { maxFailuresPerUser: 1_000_000, maxFailuresPerAddress: 1_000_000 },
    });
  });
  afterAll(() => db?.drop());

  it('unknown-user and wrong-password checks take the same time (medians within 20%)', async () => {
    const unknown: number[] = [];
    const wrong: number[] = [];
    const time = async (email: string) => {
      const start = process.hrtime.bigint();
      const result = await checker.check({ email, password: 'not the password at all', clientAddress: '10.0.0.1' });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      expect(result).toEqual({ ok: false, reason: 'invalid_credentials' });
      return ms;
    };

    // Warm up both paths (JIT, connection pool, argon2 memory).
    for (let i = 0; i < WARMUP; i++) {
      await time(`warmup-nobody-${i}@example.com`);
      await time(`user-${SAMPLES / 2 + i}@example.com`);
    }
    for (let i = 0; i < SAMPLES / 2; i++) {
      unknown.push(await time(`nobody-${i}@example.com`));
      wrong.push(await time(`user-${i}@example.com`));
    }

    const figures = {
      unknownUser: { n: unknown.length, meanMs: +mean(unknown).toFixed(2), medianMs: +median(unknown).toFixed(2) },
      wrongPassword: { n: wrong.length, meanMs: +mean(wrong).toFixed(2), medianMs: +median(wrong).toFixed(2) },
    };
    const relDiff = Math.abs(median(unknown) - median(wrong)) / Math.min(median(unknown), median(wrong));
    console.log(
      `login timing (argon2id m=19456,t=2,p=1): ${JSON.stringify(figures)}, median difference ${(relDiff * 100).toFixed(1)}%`,
    );

    expect(relDiff).toBeLessThan(0.2);
  });
});

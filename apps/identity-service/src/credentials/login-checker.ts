import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { CredentialStore } from './credential-store';
import type { PasswordHasher } from './password-hasher';
import { normalizeEmail } from '../domain';

/** The domain's e-mail form (trimmed, lower-cased); '' for a non-string (the edge validates, this never throws). */
const normalizedOrEmpty = (email: unknown): string => (typeof email === 'string' ? normalizeEmail(email) : '');

export type UserKind = 'human' | 'api' | 'contact';

/** What the login check needs to know about a user (from the users read model). */
export interface LoginUser {
  userId: string;
  kind: UserKind;
  active: boolean;
}

/** Looks a user up by e-mail; the argument is already trimmed and lower-cased. */
export type FindUserByEmail = (emailLowerCased: string) => Promise<LoginUser | null>;

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface LoginPolicy {
  /** Failures per e-mail within the window before it is locked. */
  maxFailuresPerUser: number;
  /** Failures per client address within the window before it is locked. */
  maxFailuresPerAddress: number;
  /** Length of the fixed counting window, starting at its first failure. */
  windowMs: number;
  /** How long a key stays locked once it reached its maximum. */
  lockoutMs: number;
}

export const DEFAULT_LOGIN_POLICY: Readonly<LoginPolicy> = Object.freeze({
  maxFailuresPerUser: 5,
  maxFailuresPerAddress: 50,
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
});

/** Only outcomes and hashed keys are ever passed here: never an e-mail, a password or a hash. */
export interface LoginLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface LoginCheckerOptions {
  hasher: PasswordHasher;
  store: CredentialStore;
  dataSource: DataSource;
  findUserByEmail: FindUserByEmail;
  policy?: Partial<LoginPolicy>;
  clock?: Clock;
  logger?: LoginLogger;
}

export interface LoginRequest {
  email: string;
  password: string;
  clientAddress?: string;
}

export type LoginResult =
  | { ok: true; userId: string; kind: Exclude<UserKind, 'api'> }
  | { ok: false; reason: 'invalid_credentials' | 'locked' };

const INVALID: LoginResult = Object.freeze({ ok: false, reason: 'invalid_credentials' });
const LOCKED: LoginResult = Object.freeze({ ok: false, reason: 'locked' });

// Looked up when there is no user, so every attempt costs the same database round trips.
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** `user:<sha256 hex of the lower-cased e-mail>`: the login_attempts key of an e-mail. */
export function userAttemptKey(email: string): string {
  return `user:${createHash('sha256').update(normalizedOrEmpty(email), 'utf8').digest('hex')}`;
}

/** `addr:<client address>`: the login_attempts key of a client address. */
export function addressAttemptKey(clientAddress: string): string {
  return `addr:${clientAddress.trim().toLowerCase()}`;
}

/** The part of a key that may be logged: the user key is already a hash, the address is shortened. */
function loggable(key: string): string {
  return key.startsWith('user:')
    ? key.slice(0, 17)
    : `addr:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

function assertPolicy(p: LoginPolicy): void {
  for (const [name, v] of Object.entries(p)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`login policy ${name} must be a positive integer`);
  }
}

/**
 * One failure for `key` at `$2`, computed in SQL so concurrent failures never lose a count:
 * a new row starts a window; an expired window (or an expired lock) restarts the count at 1;
 * reaching the maximum locks the key for lockoutMs; an active lock is kept as it is (a request
 * that raced past the lock check neither extends nor clears it).
 */
const RECORD_FAILURE = `
  INSERT INTO login_attempts AS a (key, failures, window_started_at, locked_until)
  VALUES ($1, 1, $2, CASE WHEN 1 >= $4::int THEN $2::timestamptz + $5::double precision * interval '1 millisecond' END)
  ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN {expired} THEN 1 ELSE a.failures + 1 END,
    window_started_at = CASE WHEN {expired} THEN $2::timestamptz ELSE a.window_started_at END,
    locked_until = CASE
      WHEN a.locked_until > $2::timestamptz THEN a.locked_until
      WHEN (CASE WHEN {expired} THEN 1 ELSE a.failures + 1 END) >= $4::int
        THEN $2::timestamptz + $5::double precision * interval '1 millisecond'
    END
  RETURNING failures, locked_until`.replaceAll(
  '{expired}',
  `(a.window_started_at + $3::double precision * interval '1 millisecond' <= $2::timestamptz
    OR (a.locked_until IS NOT NULL AND a.locked_until <= $2::timestamptz))`,
);

/**
 * The password login check.
 *
 * Every attempt that is not locked runs exactly one argon2 verify (against the dummy hash when
 * there is no real one: unknown user, api user, deactivated user, user without password), so the
 * answers take the same time whatever the reason; a locked attempt spends one dummy verify too.
 * Failures are counted per hashed e-mail (whether or not the user exists) and per client address;
 * failures against an api user's e-mail are not counted on its key, so nobody can lock anything
 * for it. A success clears the e-mail's failures, and rehashes a hash made with weaker settings.
 */
export class LoginChecker {
  private readonly hasher: PasswordHasher;
  private readonly store: CredentialStore;
  private readonly dataSource: DataSource;
  private readonly findUserByEmail: FindUserByEmail;
  private readonly policy: Readonly<LoginPolicy>;
  private readonly clock: Clock;
  private readonly logger: LoginLogger | undefined;

  constructor(options: LoginCheckerOptions) {
    this.hasher = options.hasher;
    this.store = options.store;
    this.dataSource = options.dataSource;
    this.findUserByEmail = options.findUserByEmail;
    const policy = { ...DEFAULT_LOGIN_POLICY };
    for (const [k, v] of Object.entries(options.policy ?? {}) as Array<[keyof LoginPolicy, number | undefined]>) {
      if (v !== undefined) policy[k] = v;
    }
    assertPolicy(policy);
    this.policy = Object.freeze(policy);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
  }

  async check({ email, password, clientAddress }: LoginRequest): Promise<LoginResult> {
    const now = this.clock.now();
    const emailLowerCased = normalizedOrEmpty(email);
    const userKey = userAttemptKey(emailLowerCased);
    const addressKey = clientAddress ? addressAttemptKey(clientAddress) : null;

    const locked = await this.lockedKeys(addressKey ? [userKey, addressKey] : [userKey], now);
    if (locked.length > 0) {
      await this.hasher.verifyDummy(password);
      this.logger?.log(`login locked ${locked.map(loggable).join(' ')}`);
      return LOCKED;
    }

    const user = emailLowerCased === '' ? null : await this.findUserByEmail(emailLowerCased);
    const storedHash = await this.store.hashOf(user?.userId ?? NIL_UUID);
    const eligible = user !== null && user.active && user.kind !== 'api' && storedHash !== null;

    // Exactly one argon2 verify on every path below.
    const ok = eligible ? await this.hasher.verify(storedHash, password) : await this.hasher.verifyDummy(password);

    if (ok && user !== null && user.kind !== 'api' && storedHash !== null) {
      await this.clearFailures(userKey);
      if (this.hasher.needsRehash(storedHash)) await this.rehash(user.userId, password);
      this.logger?.log(`login ok ${loggable(userKey)}`);
      return { ok: true, userId: user.userId, kind: user.kind };
    }

    const counted: Array<Promise<void>> = [];
    if (user?.kind !== 'api') counted.push(this.recordFailure(userKey, this.policy.maxFailuresPerUser, now));
    if (addressKey) counted.push(this.recordFailure(addressKey, this.policy.maxFailuresPerAddress, now));
    await Promise.all(counted);
    this.logger?.log(`login invalid_credentials ${loggable(userKey)}`);
    return INVALID;
  }

  private async lockedKeys(keys: string[], now: Date): Promise<string[]> {
    const rows: Array<{ key: string }> = await this.dataSource.query(
      'SELECT key FROM login_attempts WHERE key = ANY($1::text[]) AND locked_until > $2::timestamptz',
      [keys, now],
    );
    return rows.map((r) => r.key);
  }

  private async recordFailure(key: string, max: number, now: Date): Promise<void> {
    const rows: Array<{ failures: number; locked_until: Date | null }> = await this.dataSource.query(RECORD_FAILURE, [
      key,
      now,
      this.policy.windowMs,
      max,
      this.policy.lockoutMs,
    ]);
    const row = rows[0];
    if (row && row.failures === max && row.locked_until)
      this.logger?.warn(`login key locked ${loggable(key)} after ${max} failures`);
  }

  private async clearFailures(userKey: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_attempts WHERE key = $1', [userKey]);
  }

  private async rehash(userId: string, password: string): Promise<void> {
    try {
      await this.store.setPassword(userId, await this.hasher.hash(password));
    } catch {
      // The login stands; the old hash still verifies and the next login tries again.
      this.logger?.warn(`login rehash failed for user ${userId}`);
    }
  }
}

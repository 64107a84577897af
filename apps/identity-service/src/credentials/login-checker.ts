import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { CredentialStore } from './credential-store';
import { LoginAttempts } from './login-attempts';
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

/** How often login_attempts rows that count for nothing are deleted. */
export const DEFAULT_PRUNE_EVERY_MS = 60_000;

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
  /** How often expired login_attempts rows are deleted (default 60 s); the first check after each interval starts it. */
  pruneEveryMs?: number;
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
 * The password login check.
 *
 * Each attempt first reserves itself on its e-mail's key and on its client address's key, in one
 * atomic upsert per key (login-attempts.ts), *before* any password is verified: of attempts fired
 * in parallel at one e-mail, at most maxFailuresPerUser in a window reach argon2, and the rest —
 * a right password among them — are answered "locked". A reservation stays counted when the
 * attempt fails and is given back when it succeeds (or when the attempt was refused on its other
 * key), so the counts are failures plus attempts in flight.
 *
 * Every attempt that is not locked runs exactly one argon2 verify (against the dummy hash when
 * there is no real one: unknown user, api user, deactivated user, user without password) and the
 * same database round trips, so the answers take the same time whatever the reason; a locked
 * attempt spends one dummy verify too. An api user's e-mail is counted and locked exactly like an
 * unknown one (api users never log in, so nothing they use is locked), so the lockout does not
 * tell who is an api user either. A success clears the e-mail's count and rehashes a hash made
 * with weaker settings.
 *
 * Rows that count for nothing any more are deleted every pruneEveryMs (the first check after the
 * interval starts a prune without waiting for it): login_attempts keeps a key at most
 * windowMs + lockoutMs after its window started, plus that interval.
 */
export class LoginChecker {
  private readonly hasher: PasswordHasher;
  private readonly store: CredentialStore;
  private readonly findUserByEmail: FindUserByEmail;
  private readonly policy: Readonly<LoginPolicy>;
  private readonly clock: Clock;
  private readonly logger: LoginLogger | undefined;
  private readonly attempts: LoginAttempts;
  private readonly pruneEveryMs: number;
  private lastPruneAt: number;
  /** The prune in progress, if any (tests wait for it). */
  pruning: Promise<void> | null = null;

  constructor(options: LoginCheckerOptions) {
    this.hasher = options.hasher;
    this.store = options.store;
    this.findUserByEmail = options.findUserByEmail;
    const policy = { ...DEFAULT_LOGIN_POLICY };
    for (const [k, v] of Object.entries(options.policy ?? {}) as Array<[keyof LoginPolicy, number | undefined]>) {
      if (v !== undefined) policy[k] = v;
    }
    assertPolicy(policy);
    this.policy = Object.freeze(policy);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.attempts = new LoginAttempts(options.dataSource, this.policy);
    this.pruneEveryMs = options.pruneEveryMs ?? DEFAULT_PRUNE_EVERY_MS;
    if (!(this.pruneEveryMs > 0)) throw new RangeError('pruneEveryMs must be positive');
    this.lastPruneAt = this.clock.now().getTime();
  }

  async check({ email, password, clientAddress }: LoginRequest): Promise<LoginResult> {
    const now = this.clock.now();
    this.pruneIfDue(now);
    const emailLowerCased = normalizedOrEmpty(email);
    const userKey = userAttemptKey(emailLowerCased);
    const addressKey = clientAddress ? addressAttemptKey(clientAddress) : null;
    const keys = [{ key: userKey, max: this.policy.maxFailuresPerUser }];
    if (addressKey) keys.push({ key: addressKey, max: this.policy.maxFailuresPerAddress });

    const { reserved, refused } = await this.attempts.reserve(keys, now);
    if (refused.length > 0) {
      await Promise.all([this.attempts.release(reserved, this.maxOf), this.hasher.verifyDummy(password)]);
      this.logger?.log(`login locked ${refused.map(loggable).join(' ')}`);
      return LOCKED;
    }
    for (const r of reserved)
      if (r.locked) this.logger?.warn(`login key locked ${loggable(r.key)} after ${r.attempts} attempts`);

    const user = emailLowerCased === '' ? null : await this.findUserByEmail(emailLowerCased);
    const storedHash = await this.store.hashOf(user?.userId ?? NIL_UUID);
    const eligible = user !== null && user.active && user.kind !== 'api' && storedHash !== null;

    // Exactly one argon2 verify on every path below.
    const ok = eligible ? await this.hasher.verify(storedHash, password) : await this.hasher.verifyDummy(password);
    if (ok && eligible && user.kind !== 'api') {
      await Promise.all([
        this.attempts.clear(userKey),
        this.attempts.release(
          reserved.filter((r) => r.key !== userKey),
          this.maxOf,
        ),
      ]);
      if (this.hasher.needsRehash(storedHash)) await this.rehash(user.userId, password);
      this.logger?.log(`login ok ${loggable(userKey)}`);
      return { ok: true, userId: user.userId, kind: user.kind };
    }
    // The reservations stay: they are this attempt's failures.
    this.logger?.log(`login invalid_credentials ${loggable(userKey)}`);
    return INVALID;
  }

  /** Deletes the login_attempts rows that count for nothing any more; returns how many. */
  prune(now: Date = this.clock.now()): Promise<number> {
    return this.attempts.prune(now);
  }

  private readonly maxOf = (key: string): number =>
    key.startsWith('user:') ? this.policy.maxFailuresPerUser : this.policy.maxFailuresPerAddress;

  private pruneIfDue(now: Date): void {
    if (this.pruning !== null || now.getTime() - this.lastPruneAt < this.pruneEveryMs) return;
    this.lastPruneAt = now.getTime();
    this.pruning = this.attempts
      .prune(now)
      .then(
        (deleted) => {
          if (deleted > 0) this.logger?.log(`login_attempts: pruned ${deleted} expired rows`);
        },
        (err: unknown) => {
          this.logger?.warn(`login_attempts: prune failed (${err instanceof Error ? err.message : String(err)})`);
        },
      )
      .finally(() => {
        this.pruning = null;
      });
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

import { randomBytes } from 'node:crypto';
import { hash, parseOptions, verify, type Algorithm, type Version } from '@node-rs/argon2';

// `Algorithm` and `Version` are ambient const enums, which isolatedModules cannot inline; these are
// their values (Algorithm.Argon2id = 2, Version.V0x13 = 1 — argon2 version 19), typed as the enums.
// The unit test checks the produced PHC string says `$argon2id$v=19$`.
const ARGON2ID = 2 as Algorithm.Argon2id;
const V0X13 = 1 as Version.V0x13;

/** The argon2id cost parameters this service hashes with. */
export interface Argon2Parameters {
  /** Memory per lane, in KiB. */
  memoryCost: number;
  /** Passes over memory. */
  timeCost: number;
  /** Lanes. */
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1. The defaults. */
export const OWASP_ARGON2ID: Readonly<Argon2Parameters> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/** Password length bounds, in Unicode code points after NFKC normalization (NIST 800-63B). */
export const PASSWORD_MIN_LENGTH = 12;
/** Upper bound so nobody can make argon2 chew on megabytes per request. */
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordPolicyCode = 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG' | 'PASSWORD_BLANK';

export interface PasswordPolicyViolation {
  code: PasswordPolicyCode;
  message: string;
}

/**
 * The same string the hasher feeds to argon2: NFKC-normalized, so a password typed with a
 * composed or a decomposed "é" verifies either way (NIST 800-63B §5.1.1.2).
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * NIST 800-63B style: only length (12..256 code points) and "not all whitespace"; no composition
 * rules, no forced rotation. Returns null when the password is acceptable. The message never
 * echoes the password.
 */
export function checkPasswordPolicy(password: string): PasswordPolicyViolation | null {
  if (typeof password !== 'string')
    return {
      code: 'PASSWORD_TOO_SHORT',
      message: `A password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
    };
  // Refuse absurd inputs before normalizing them (normalization is linear, but why pay for it).
  if (password.length > PASSWORD_MAX_LENGTH * 4) return tooLong();
  const normalized = normalizePassword(password);
  const length = codePoints(normalized);
  if (length > PASSWORD_MAX_LENGTH) return tooLong();
  if (length < PASSWORD_MIN_LENGTH) {
    return {
      code: 'PASSWORD_TOO_SHORT',
      message: `A password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
    };
  }
  if (normalized.trim() === '')
    return { code: 'PASSWORD_BLANK', message: 'A password must not consist of whitespace only.' };
  return null;
}

function tooLong(): PasswordPolicyViolation {
  return { code: 'PASSWORD_TOO_LONG', message: `A password must be at most ${PASSWORD_MAX_LENGTH} characters long.` };
}

/** Whether a password is short enough to be given to argon2 at all (login path DoS guard). */
function withinInputBound(password: string): boolean {
  return typeof password === 'string' && password.length <= PASSWORD_MAX_LENGTH * 4;
}

export type PasswordHasherOptions = Partial<Argon2Parameters>;

function validate(params: Argon2Parameters): void {
  const { memoryCost, timeCost, parallelism } = params;
  for (const [name, v] of Object.entries(params)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`argon2 ${name} must be a positive integer`);
  }
  if (parallelism > 255) throw new RangeError('argon2 parallelism must be at most 255');
  if (memoryCost < 8 * parallelism) throw new RangeError('argon2 memoryCost must be at least 8 KiB per lane');
  if (timeCost > 100) throw new RangeError('argon2 timeCost is unreasonably high');
}

/**
 * argon2id password hashing.
 *
 * - `hash` produces a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with a fresh 16-byte salt.
 * - `verify` answers false, never throws, for a wrong password, a malformed stored hash or an
 *   over-long input; in the last two cases it still spends one verify against the dummy hash so
 *   the answer takes the usual time.
 * - `verifyDummy` spends the time of one verify when there is no real hash to check against
 *   (unknown user, locked key, …) and always answers false.
 *
 * The defaults are OWASP's; cheaper parameters are for unit tests only.
 */
export class PasswordHasher {
  readonly parameters: Readonly<Argon2Parameters>;
  private readonly dummyHash: Promise<string>;

  constructor(options: PasswordHasherOptions = {}) {
    this.parameters = Object.freeze({
      memoryCost: options.memoryCost ?? OWASP_ARGON2ID.memoryCost,
      timeCost: options.timeCost ?? OWASP_ARGON2ID.timeCost,
      parallelism: options.parallelism ?? OWASP_ARGON2ID.parallelism,
    });
    validate(this.parameters);
    // Computed once, at start, with the same parameters as real hashes, from a random secret
    // nobody knows: verifying anything against it costs exactly what a real verify costs.
    this.dummyHash = this.hashNormalized(randomBytes(32).toString('base64url'));
    this.dummyHash.catch(() => undefined); // surfaced by ready()/verifyDummy(), not as an unhandled rejection
  }

  /** A hasher whose dummy hash is already computed (so the first login is not slower). */
  static async create(options: PasswordHasherOptions = {}): Promise<PasswordHasher> {
    const hasher = new PasswordHasher(options);
    await hasher.ready();
    return hasher;
  }

  /** Resolves once the dummy hash is computed. */
  async ready(): Promise<void> {
    await this.dummyHash;
  }

  /** Hashes a password (NFKC-normalized). Policy is the caller's business: see checkPasswordPolicy. */
  async hash(password: string): Promise<string> {
    if (!withinInputBound(password)) throw new RangeError('password too long to hash');
    return this.hashNormalized(normalizePassword(password));
  }

  /** True only when `password` matches `storedHash`; false (never a throw) otherwise. */
  async verify(storedHash: string, password: string): Promise<boolean> {
    if (!withinInputBound(password) || !isParsableArgon2(storedHash)) {
      await this.verifyDummy('');
      return false;
    }
    try {
      return await verify(storedHash, normalizePassword(password));
    } catch {
      return false;
    }
  }

  /** Spends one argon2 verify against the dummy hash; always false. */
  async verifyDummy(password: string): Promise<false> {
    const candidate = withinInputBound(password) ? normalizePassword(password) : '';
    try {
      await verify(await this.dummyHash, candidate);
    } catch {
      // the dummy hash is well-formed; nothing to report for a throw-away verify
    }
    return false;
  }

  /**
   * True when `storedHash` was made with weaker settings than the current ones (another
   * algorithm or version, or a lower memory, time or parallelism cost), or cannot be parsed.
   */
  needsRehash(storedHash: string): boolean {
    try {
      const p = parseOptions(storedHash);
      return (
        p.algorithm !== ARGON2ID ||
        p.version !== V0X13 ||
        p.memoryCost < this.parameters.memoryCost ||
        p.timeCost < this.parameters.timeCost ||
        p.parallelism < this.parameters.parallelism ||
        p.outputLen < 32
      );
    } catch {
      return true;
    }
  }

  private hashNormalized(password: string): Promise<string> {
    return hash(password, {
      algorithm: ARGON2ID,
      version: V0X13,
      memoryCost: this.parameters.memoryCost,
      timeCost: this.parameters.timeCost,
      parallelism: this.parameters.parallelism,
      outputLen: 32,
    });
  }
}

function isParsableArgon2(storedHash: unknown): storedHash is string {
  if (typeof storedHash !== 'string' || !storedHash.startsWith('$argon2')) return false;
  try {
    parseOptions(storedHash);
    return true;
  } catch {
    return false;
  }
}

import { checkPasswordPolicy, OWASP_ARGON2ID, PasswordHasher, PASSWORD_MAX_LENGTH } from './password-hasher';

// Cheap parameters for the behaviour tests; one test below runs the OWASP defaults.
const CHEAP = { memoryCost: 256, timeCost: 1, parallelism: 1 };

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;

  beforeAll(async () => {
    hasher = await PasswordHasher.create(CHEAP);
  });

  it('given a hash of a password, when verified with that password, then true', async () => {
    const h = await hasher.hash('correct horse battery staple');
    await expect(hasher.verify(h, 'correct horse battery staple')).resolves.toBe(true);
  });

  it('given a hash, when verified with another password, then false', async () => {
    const h = await hasher.hash('correct horse battery staple');
    await expect(hasher.verify(h, 'correct horse battery stapler')).resolves.toBe(false);
    await expect(hasher.verify(h, '')).resolves.toBe(false);
  });

  it('salts: the same password hashes differently each time, and both verify', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password here'), hasher.hash('same password here')]);
    expect(a).not.toBe(b);
    await expect(hasher.verify(a, 'same password here')).resolves.toBe(true);
    await expect(hasher.verify(b, 'same password here')).resolves.toBe(true);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a hash at all'],
    ['truncated', '$argon2id$v=19$m=256,t=1,p=1$'],
    ['bcrypt', '$2b$10$abcdefghijklmnopqrstuuJ6mK7o3rEJ3m9vQ0tQ1JmE4bq5b0G6u'],
    ['bad base64', '$argon2id$v=19$m=256,t=1,p=1$!!!!$@@@@'],
  ])('given a malformed stored hash (%s), when verified, then false without throwing', async (_name, stored) => {
    await expect(hasher.verify(stored, 'whatever password')).resolves.toBe(false);
  });

  it('given a password beyond the input bound, when verified, then false without throwing', async () => {
    const h = await hasher.hash('correct horse battery staple');
    await expect(hasher.verify(h, 'x'.repeat(1_000_000))).resolves.toBe(false);
  });

  it('normalizes (NFKC): a composed and a decomposed é verify against each other', async () => {
    const h = await hasher.hash('caf\u00e9 caf\u00e9 caf\u00e9');
    await expect(hasher.verify(h, 'cafe\u0301 cafe\u0301 cafe\u0301')).resolves.toBe(true);
  });

  it('verifyDummy always answers false', async () => {
    await expect(hasher.verifyDummy('anything at all')).resolves.toBe(false);
  });

  it('with the defaults, hashes as argon2id v19 with OWASP parameters, and verifies', async () => {
    const owasp = new PasswordHasher();
    expect(owasp.parameters).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(OWASP_ARGON2ID).toEqual(owasp.parameters);
    const h = await owasp.hash('correct horse battery staple');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    await expect(owasp.verify(h, 'correct horse battery staple')).resolves.toBe(true);
    await expect(owasp.verify(h, 'wrong horse battery staple')).resolves.toBe(false);
    expect(owasp.needsRehash(h)).toBe(false);
  });

  it('needsRehash: true for weaker parameters, another variant, or a malformed hash; false for equal or stronger', async () => {
    const weak = await hasher.hash('correct horse battery staple');
    const owasp = new PasswordHasher();
    expect(owasp.needsRehash(weak)).toBe(true);
    expect(hasher.needsRehash(weak)).toBe(false);
    const stronger = await new PasswordHasher({ memoryCost: 512, timeCost: 2 }).hash('correct horse battery staple');
    expect(hasher.needsRehash(stronger)).toBe(false);
    expect(hasher.needsRehash(stronger.replace('$argon2id$', '$argon2i$'))).toBe(true);
    expect(hasher.needsRehash('garbage')).toBe(true);
  });

  it('refuses invalid parameters at construction', () => {
    expect(() => new PasswordHasher({ memoryCost: 0 })).toThrow(RangeError);
    expect(() => new PasswordHasher({ timeCost: 1.5 })).toThrow(RangeError);
    expect(() => new PasswordHasher({ parallelism: 4, memoryCost: 16 })).toThrow(RangeError);
  });

  it('refuses to hash an over-long input', async () => {
    await expect(hasher.hash('x'.repeat(10_000))).rejects.toThrow(RangeError);
  });
});

describe('checkPasswordPolicy', () => {
  it.each<[string, string | null, string]>([
    ['empty', 'PASSWORD_TOO_SHORT', ''],
    ['11 characters', 'PASSWORD_TOO_SHORT', 'abcdefghijk'],
    ['12 characters', null, 'abcdefghijkl'],
    ['12 code points of astral emoji (24 UTF-16 units)', null, '😀'.repeat(12)],
    ['11 emoji (22 UTF-16 units) is still too short', 'PASSWORD_TOO_SHORT', '😀'.repeat(11)],
    ['no composition rules: all lower-case letters', null, 'correcthorsebatterystaple'],
    ['inner spaces are fine', null, 'correct horse battery staple'],
    ['12 spaces', 'PASSWORD_BLANK', ' '.repeat(12)],
    ['tabs and newlines only', 'PASSWORD_BLANK', '\t\n'.repeat(10)],
    ['256 characters', null, 'a'.repeat(PASSWORD_MAX_LENGTH)],
    ['257 characters', 'PASSWORD_TOO_LONG', 'a'.repeat(PASSWORD_MAX_LENGTH + 1)],
    ['a megabyte', 'PASSWORD_TOO_LONG', 'a'.repeat(1_000_000)],
  ])('%s → %s', (_name, expected, password) => {
    const violation = checkPasswordPolicy(password);
    expect(violation?.code ?? null).toBe(expected);
    if (violation) {
      expect(violation.message).toEqual(expect.any(String));
      if (password.length >= 4) expect(violation.message).not.toContain(password);
    }
  });
});

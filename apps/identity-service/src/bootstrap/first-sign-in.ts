import { createHash, randomBytes } from 'node:crypto';
import { returnedRows } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';
import { IdentityError } from '../domain';

const LIFETIME_MS = 24 * 3_600_000;
const hashOf = (code: string) => createHash('sha256').update(code, 'utf8').digest('base64url');

/**
 * The bootstrap administrator's first sign-in when no BOOTSTRAP_ADMIN_PASSWORD was given: a
 * one-time code (256 bits, only its hash kept, 24 hours) that the console's /setup page trades for
 * a first password. Issued at each start while the administrator has no password (the new code
 * replaces the old one), so a newcomer can always get in right after `npm start`.
 */
export class FirstSignIn {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** A new code for the user; the previous one stops working. */
  async issue(userId: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.dataSource.query(
      `INSERT INTO first_sign_in (user_id, code_hash, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at`,
      [userId, hashOf(code), new Date(this.clock().getTime() + LIFETIME_MS)],
    );
    return code;
  }

  /**
   * Trades a live code for the first password: `setPassword` runs (and may refuse the password,
   * which keeps the code) and the code is gone. Two tries at once: the second finds no code.
   */
  async redeem(code: string, setPassword: (userId: string) => Promise<void>): Promise<string> {
    if (typeof code !== 'string' || code.length < 20 || code.length > 100) throw invalid();
    return this.dataSource.transaction(async (m) => {
      const [row] = returnedRows<{ user_id: string }>(
        await m.query('SELECT user_id FROM first_sign_in WHERE code_hash = $1 AND expires_at > $2 FOR UPDATE', [
          hashOf(code),
          this.clock(),
        ]),
      );
      if (!row) throw invalid();
      await setPassword(row.user_id);
      await m.query('DELETE FROM first_sign_in WHERE user_id = $1', [row.user_id]);
      return row.user_id;
    });
  }

  /** After a password was set some other way (an administrator, the user): no code is needed any more. */
  async forget(userId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM first_sign_in WHERE user_id = $1', [userId]);
  }
}

function invalid(): IdentityError {
  return new IdentityError(
    'FIRST_SIGN_IN_INVALID',
    'This first sign-in link is not valid: it was used already, has expired, or was replaced by a newer one (each start of identity-service prints a new one while the administrator has no password).',
  );
}

import type { DataSource, EntityManager } from 'typeorm';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A PHC argon2 string; refuses anything else so a plaintext password can never be stored by mistake.
const ARGON2_PHC = /^\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** A credentials-table failure, stripped of the query parameters (which may hold a hash). */
export class CredentialStoreError extends Error {
  constructor(
    operation: string,
    readonly code: string | undefined,
  ) {
    super(`credentials: ${operation} failed${code ? ` (SQLSTATE ${code})` : ''}`);
    this.name = 'CredentialStoreError';
  }
}

function assertUserId(userId: string): void {
  if (typeof userId !== 'string' || !UUID.test(userId)) throw new TypeError('userId must be a UUID');
}

/** TypeORM's postgres driver answers DELETE/UPDATE with [rows, rowCount]; SELECT/INSERT with rows. */
function rowsOf<T>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number')
    return raw[0] as T[];
  return raw as T[];
}

/**
 * The `credentials` table: one argon2id hash per user. Errors never carry the hash (TypeORM's
 * QueryFailedError keeps the parameters, so they are rethrown as CredentialStoreError).
 */
export class CredentialStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Sets (or replaces) the user's password hash; pass `manager` to write inside a caller's transaction. */
  async setPassword(userId: string, passwordHash: string, manager?: EntityManager): Promise<void> {
    assertUserId(userId);
    if (typeof passwordHash !== 'string' || !ARGON2_PHC.test(passwordHash)) {
      throw new TypeError('passwordHash must be an argon2 PHC string');
    }
    await this.run('setPassword', () =>
      (manager ?? this.dataSource.manager).query(
        `INSERT INTO credentials (user_id, password_hash, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`,
        [userId, passwordHash],
      ),
    );
  }

  /** The user's password hash, or null when the user has none. */
  async hashOf(userId: string, manager?: EntityManager): Promise<string | null> {
    assertUserId(userId);
    const rows = await this.run('hashOf', () =>
      (manager ?? this.dataSource.manager).query('SELECT password_hash FROM credentials WHERE user_id = $1', [userId]),
    );
    const row = rowsOf<{ password_hash: string }>(rows)[0];
    return row ? row.password_hash : null;
  }

  /** Deletes the user's password; true when there was one. */
  async remove(userId: string, manager?: EntityManager): Promise<boolean> {
    assertUserId(userId);
    const raw = await this.run('remove', () =>
      (manager ?? this.dataSource.manager).query('DELETE FROM credentials WHERE user_id = $1 RETURNING user_id', [
        userId,
      ]),
    );
    return rowsOf(raw).length > 0;
  }

  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code =
        typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
      throw new CredentialStoreError(operation, code);
    }
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { returnedRows } from '@latchkey/eventstore';
import type { DataSource } from 'typeorm';
import { SealedBox } from './sealed-box';

/** What a console session holds for the person: never sent to the browser. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

export interface Session {
  /** The raw id, as the cookie carries it (kept only in memory for this request). */
  id: string;
  userId: string;
  /** How the page names the person (display name and e-mail): not a secret. */
  userLabel: string;
  tokens: SessionTokens;
  accessExpiresAt: Date;
  expiresAt: Date;
  createdAt: Date;
}

export interface PendingLogin {
  codeVerifier: string;
  returnTo: string;
}

const hashOf = (raw: string) => createHash('sha256').update(raw, 'utf8').digest();
/** 256 bits, URL-safe: a session id, an OAuth state, a PKCE verifier. */
export const randomToken = () => randomBytes(32).toString('base64url');
const LOGIN_TTL_MS = 10 * 60_000;

/**
 * Console sessions and logins under way, in the console's database. Rows are found by the
 * SHA-256 of the id the browser holds; tokens and PKCE verifiers are sealed, bound to their row.
 */
export class SessionStore {
  private readonly box: SealedBox;

  constructor(
    private readonly dataSource: DataSource,
    key: Buffer,
  ) {
    this.box = new SealedBox(key);
  }

  /** A new session; returns its raw id (for the cookie). */
  async create(
    user: { userId: string; label: string },
    tokens: SessionTokens,
    accessExpiresAt: Date,
    expiresAt: Date,
  ): Promise<string> {
    const id = randomToken();
    const idHash = hashOf(id);
    await this.dataSource.query(
      `INSERT INTO console_sessions (id_hash, user_id, user_label, sealed_tokens, access_expires_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [idHash, user.userId, user.label, this.box.seal(JSON.stringify(tokens), idHash), accessExpiresAt, expiresAt],
    );
    return id;
  }

  /** The live session with this id (and marks it seen), or null. */
  async find(id: string): Promise<Session | null> {
    if (id.length === 0 || id.length > 100) return null;
    const idHash = hashOf(id);
    const [row] = returnedRows<{
      user_id: string;
      user_label: string;
      sealed_tokens: Buffer;
      access_expires_at: Date;
      expires_at: Date;
      created_at: Date;
    }>(
      await this.dataSource.query(
        `UPDATE console_sessions SET last_seen_at = now() WHERE id_hash = $1 AND expires_at > now()
       RETURNING user_id, user_label, sealed_tokens, access_expires_at, expires_at, created_at`,
        [idHash],
      ),
    );
    if (!row) return null;
    const opened = this.box.open(row.sealed_tokens, idHash);
    if (opened === null) return null; // sealed under another key: the key was rotated
    return {
      id,
      userId: row.user_id,
      userLabel: row.user_label,
      tokens: JSON.parse(opened) as SessionTokens,
      accessExpiresAt: row.access_expires_at,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
    };
  }

  /**
   * The session's tokens, refreshed first when the access token expires within `skewMs`. The
   * refresh runs under the session row's lock: two requests of one session never present the same
   * refresh token twice (the second would look like a stolen token's reuse and end the grant).
   * Throws when the session is gone or `refresh` throws (the caller then ends the session).
   */
  async freshTokens(
    session: Session,
    skewMs: number,
    refresh: (refreshToken: string) => Promise<SessionTokens & { accessExpiresAt: Date }>,
  ): Promise<SessionTokens> {
    if (session.accessExpiresAt.getTime() - Date.now() > skewMs) return session.tokens;
    const idHash = hashOf(session.id);
    return this.dataSource.transaction(async (m) => {
      const [row] = returnedRows<{ sealed_tokens: Buffer; access_expires_at: Date }>(
        await m.query('SELECT sealed_tokens, access_expires_at FROM console_sessions WHERE id_hash = $1 FOR UPDATE', [
          idHash,
        ]),
      );
      const current = row ? this.box.open(row.sealed_tokens, idHash) : null;
      if (!row || current === null) throw new Error('the session ended');
      const tokens = JSON.parse(current) as SessionTokens;
      // another request refreshed while this one waited for the lock
      if (row.access_expires_at.getTime() - Date.now() > skewMs) return tokens;
      const next = await refresh(tokens.refreshToken);
      const pair = { accessToken: next.accessToken, refreshToken: next.refreshToken };
      await m.query('UPDATE console_sessions SET sealed_tokens = $2, access_expires_at = $3 WHERE id_hash = $1', [
        idHash,
        this.box.seal(JSON.stringify(pair), idHash),
        next.accessExpiresAt,
      ]);
      return pair;
    });
  }

  /** After a refresh: the new pair (the refresh token rotates). */
  async replaceTokens(id: string, tokens: SessionTokens, accessExpiresAt: Date): Promise<void> {
    const idHash = hashOf(id);
    await this.dataSource.query(
      'UPDATE console_sessions SET sealed_tokens = $2, access_expires_at = $3 WHERE id_hash = $1',
      [idHash, this.box.seal(JSON.stringify(tokens), idHash), accessExpiresAt],
    );
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.query('DELETE FROM console_sessions WHERE id_hash = $1', [hashOf(id)]);
  }

  /** Remembers a login sent to the authorization server; returns the OAuth `state` to send with it. */
  async beginLogin(login: PendingLogin): Promise<string> {
    const state = randomToken();
    const stateHash = hashOf(state);
    await this.dataSource.query(
      `INSERT INTO console_logins (state_hash, sealed_verifier, return_to, expires_at)
       VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
      [stateHash, this.box.seal(login.codeVerifier, stateHash), login.returnTo, LOGIN_TTL_MS],
    );
    return state;
  }

  /** The login this `state` began, once: taking it deletes it (a replayed callback finds nothing). */
  async takeLogin(state: string): Promise<PendingLogin | null> {
    if (state.length === 0 || state.length > 100) return null;
    const stateHash = hashOf(state);
    const [row] = returnedRows<{ sealed_verifier: Buffer; return_to: string; live: boolean }>(
      await this.dataSource.query(
        `DELETE FROM console_logins WHERE state_hash = $1 RETURNING sealed_verifier, return_to, expires_at > now() AS live`,
        [stateHash],
      ),
    );
    if (!row?.live) return null;
    const codeVerifier = this.box.open(row.sealed_verifier, stateHash);
    return codeVerifier === null ? null : { codeVerifier, returnTo: row.return_to };
  }

  /** For /readyz: the database answers. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /** Deletes expired sessions and logins; returns how many. */
  async sweep(): Promise<number> {
    const [, a] = (await this.dataSource.query('DELETE FROM console_sessions WHERE expires_at <= now()')) as [
      unknown,
      number,
    ];
    const [, b] = (await this.dataSource.query('DELETE FROM console_logins WHERE expires_at <= now()')) as [
      unknown,
      number,
    ];
    return a + b;
  }
}

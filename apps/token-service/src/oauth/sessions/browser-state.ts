import { randomBytes } from 'node:crypto';
import { hashSecret, secretsEqual } from '@latchkey/token-format';
import type { DataSource } from 'typeorm';
import { returnedRows } from '@latchkey/eventstore';

export const SESSION_LIFETIME_MS = 8 * 3_600_000;
export const INTERACTION_LIFETIME_MS = 10 * 60_000;

/** What an interaction carries from /oauth/authorize to the answer (never a secret: the code comes later). */
export interface StoredRequest {
  clientId: string;
  redirectUri: string;
  redirectUriGiven: boolean;
  scopes: string[];
  codeChallenge: string;
  state: string | null;
}

/** A live login session as its user sees it (never its cookie or the cookie's hash). */
export interface LoginSessionView {
  sessionId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
}

export interface Interaction {
  request: StoredRequest;
  csrfHash: string;
}

const secret = () => randomBytes(32).toString('base64url');

/**
 * The authorization server's browser state, server-side: login sessions and interactions. The
 * browser holds random secrets in cookies; the tables hold their SHA-256 only.
 */
export class BrowserState {
  constructor(
    private readonly db: DataSource,
    private readonly clock: () => Date,
  ) {}

  /** A new interaction for a validated request: its id (the cookie and the URL) and its CSRF token (every POST). */
  async startInteraction(request: StoredRequest): Promise<{ id: string; csrf: string }> {
    const id = secret();
    const csrf = secret();
    await this.db.query(
      `INSERT INTO authorization_interactions (id_hash, request, csrf_hash, expires_at) VALUES ($1, $2, $3, $4)`,
      [hashSecret(id), request, hashSecret(csrf), new Date(this.clock().getTime() + INTERACTION_LIFETIME_MS)],
    );
    return { id, csrf };
  }

  /** The live interaction with this id (not expired, not completed), or null. */
  async interaction(id: string | undefined): Promise<Interaction | null> {
    if (!id) return null;
    const rows: Array<{ request: StoredRequest; csrf_hash: string }> = await this.db.query(
      `SELECT request, csrf_hash FROM authorization_interactions
        WHERE id_hash = $1 AND completed_at IS NULL AND expires_at > $2`,
      [hashSecret(id), this.clock()],
    );
    return rows[0] ? { request: rows[0].request, csrfHash: rows[0].csrf_hash } : null;
  }

  /** A new CSRF token for the page about to be shown; the one before stops working. */
  async rotateCsrf(id: string): Promise<string> {
    const csrf = secret();
    await this.db.query('UPDATE authorization_interactions SET csrf_hash = $2 WHERE id_hash = $1', [
      hashSecret(id),
      hashSecret(csrf),
    ]);
    return csrf;
  }

  /** Whether a POST carries the interaction's CSRF token (constant time). */
  static csrfMatches(interaction: Interaction, csrf: unknown): boolean {
    return typeof csrf === 'string' && csrf.length > 0 && secretsEqual(hashSecret(csrf), interaction.csrfHash);
  }

  /** Ends an interaction; false when it was already ended (a second POST of the same form). */
  async completeInteraction(id: string): Promise<boolean> {
    const rows = returnedRows(
      await this.db.query(
        `UPDATE authorization_interactions SET completed_at = $2 WHERE id_hash = $1 AND completed_at IS NULL RETURNING 1`,
        [hashSecret(id), this.clock()],
      ),
    );
    return rows.length > 0;
  }

  /** A new login session; returns the cookie's secret. */
  async startSession(userId: string, userAgent: string | undefined): Promise<string> {
    const value = secret();
    const now = this.clock();
    await this.db.query(
      `INSERT INTO login_sessions (session_hash, user_id, created_at, expires_at, last_seen_at, user_agent)
       VALUES ($1, $2, $3, $4, $3, $5)`,
      [hashSecret(value), userId, now, new Date(now.getTime() + SESSION_LIFETIME_MS), userAgent?.slice(0, 200) ?? null],
    );
    return value;
  }

  /** The signed-in user of a session cookie, if the session is live. */
  async sessionUser(value: string | undefined): Promise<string | null> {
    if (!value) return null;
    const rows = returnedRows<{ user_id: string }>(
      await this.db.query(
        `UPDATE login_sessions SET last_seen_at = $2
          WHERE session_hash = $1 AND revoked_at IS NULL AND expires_at > $2 RETURNING user_id`,
        [hashSecret(value), this.clock()],
      ),
    );
    return rows[0]?.user_id ?? null;
  }

  /** A user's live login sessions, oldest first, after the keyset `after` ([createdAt, sessionId]). */
  async sessionsOf(userId: string, limit: number, after: [string, string] | null): Promise<LoginSessionView[]> {
    const rows: Array<{
      session_id: string;
      created_at: Date;
      last_seen_at: Date;
      expires_at: Date;
      user_agent: string | null;
    }> = await this.db.query(
      `SELECT session_id, created_at, last_seen_at, expires_at, user_agent FROM login_sessions
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
          AND ($3::timestamptz IS NULL OR (created_at, session_id) > ($3::timestamptz, $4::uuid))
        ORDER BY created_at, session_id LIMIT $5`,
      [userId, this.clock(), after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map((r) => ({
      sessionId: r.session_id,
      createdAt: r.created_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
      expiresAt: r.expires_at.toISOString(),
      userAgent: r.user_agent,
    }));
  }

  /** Signs a user's session out; false when it is not theirs or not live. */
  async revokeSession(userId: string, sessionId: string): Promise<boolean> {
    const rows = returnedRows(
      await this.db.query(
        `UPDATE login_sessions SET revoked_at = $3
          WHERE session_id = $2 AND user_id = $1 AND revoked_at IS NULL AND expires_at > $3 RETURNING 1`,
        [userId, sessionId, this.clock()],
      ),
    );
    return rows.length > 0;
  }

  /** Ends the session of a cookie (sign out); nothing when there is none. */
  async endSession(value: string | undefined): Promise<void> {
    if (!value) return;
    await this.db.query('UPDATE login_sessions SET revoked_at = $2 WHERE session_hash = $1 AND revoked_at IS NULL', [
      hashSecret(value),
      this.clock(),
    ]);
  }
}

import type { DataSource, EntityManager } from 'typeorm';

export interface PatView {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  displayPrefix: string;
  scopes: string[];
  accountIds: string[];
  createdBy: string;
  createdAt: string;
  issuedAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

export interface DirectoryUser {
  userId: string;
  kind: 'human' | 'api' | 'contact';
  email: string | null;
  active: boolean;
  permissions: Record<string, string[]>;
}

export interface TokenPolicyView {
  accountId: string;
  whoMayCreate: 'everyone' | 'administrators';
  maxLifetimeDays: number | null;
  contactScopes: string[];
}

interface PatRow {
  grant_id: string;
  user_id: string;
  name: string;
  description: string | null;
  display_prefix: string;
  scopes: string[];
  account_ids: string[];
  created_by: string;
  created_at: Date;
  issued_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Reads of token-service's read models. */
export class TokenQueries {
  constructor(private readonly db: DataSource) {}

  /** Inside a transaction, pass its manager (the read model is written in the same transaction as the events). */
  async pat(grantId: string, manager?: EntityManager): Promise<PatView | null> {
    const rows: PatRow[] = await (manager ?? this.db).query('SELECT * FROM pats WHERE grant_id = $1', [grantId]);
    return rows.length === 0 ? null : toPat(rows[0]);
  }

  /** A user's PATs, oldest first, after the keyset `after` ([createdAt, grantId]). */
  async patsOf(userId: string, limit: number, after: [string, string] | null): Promise<PatView[]> {
    const rows: PatRow[] = await this.db.query(
      `SELECT * FROM pats WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, grant_id) > ($2::timestamptz, $3::text))
       ORDER BY created_at, grant_id LIMIT $4`,
      [userId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(toPat);
  }

  /** PATs that may act in an account (for its administrators), oldest first. */
  async patsIn(accountId: string, limit: number, after: [string, string] | null): Promise<PatView[]> {
    const rows: PatRow[] = await this.db.query(
      `SELECT * FROM pats WHERE account_ids @> ARRAY[$1]::text[] AND ($2::timestamptz IS NULL OR (created_at, grant_id) > ($2::timestamptz, $3::text))
       ORDER BY created_at, grant_id LIMIT $4`,
      [accountId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(toPat);
  }

  /**
   * A user as the directory projection knows them. With a manager, the row is read FOR SHARE:
   * a concurrent UserDeactivated (which updates it) waits for the issuing transaction, and its
   * reaction then sees and revokes the new grant.
   */
  /** Each account's display name (from AccountCreated); an account not projected yet is left out. */
  async accountNames(accountIds: readonly string[]): Promise<Record<string, string>> {
    if (accountIds.length === 0) return {};
    const rows: Array<{ account_id: string; name: string }> = await this.db.query(
      'SELECT account_id, name FROM directory_accounts WHERE account_id = ANY($1)',
      [accountIds],
    );
    return Object.fromEntries(rows.map((r) => [r.account_id, r.name]));
  }

  async user(userId: string, manager?: EntityManager): Promise<DirectoryUser | null> {
    const q = manager ?? this.db;
    // one round trip: the directory row (FOR SHARE inside a transaction) and its permissions
    const rows: Array<{
      user_id: string;
      kind: DirectoryUser['kind'];
      email: string | null;
      status: string;
      permissions: Record<string, string[]>;
    }> = await q.query(
      `SELECT u.user_id, u.kind, u.email, u.status,
              COALESCE((SELECT json_object_agg(p.account_id, p.permissions) FROM user_permissions p
                         WHERE p.user_id = u.user_id), '{}'::json) AS permissions
         FROM directory_users u WHERE u.user_id = $1${manager ? ' FOR SHARE OF u' : ''}`,
      [userId],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      userId: row.user_id,
      kind: row.kind,
      email: row.email,
      active: row.status === 'active',
      permissions: row.permissions,
    };
  }

  /**
   * What issuing a PAT needs about its user, in one round trip inside the issuing transaction:
   * the directory row (read FOR SHARE — a concurrent UserDeactivated waits for this transaction,
   * and its reaction then sees and revokes the new grant), the permissions, the accounts' token
   * policies, and whether the name is taken among the user's live tokens (null: no name to check,
   * as when regenerating).
   */
  async issuingFacts(
    userId: string,
    name: string | null,
    accountIds: readonly string[],
    manager: EntityManager,
  ): Promise<{ user: DirectoryUser | null; nameTaken: boolean; policies: Record<string, TokenPolicyView> }> {
    type PolicyRow = {
      account_id: string;
      who_may_create: TokenPolicyView['whoMayCreate'];
      max_lifetime_days: number | null;
      contact_scopes: string[];
    };
    const rows: Array<{
      user_id: string;
      kind: DirectoryUser['kind'];
      email: string | null;
      status: string;
      permissions: Record<string, string[]> | null;
      name_taken: boolean;
      policies: PolicyRow[] | null;
    }> = await manager.query(
      `SELECT u.user_id, u.kind, u.email, u.status,
              (SELECT json_object_agg(p.account_id, p.permissions) FROM user_permissions p WHERE p.user_id = u.user_id) AS permissions,
              ($2::text IS NOT NULL AND EXISTS (SELECT 1 FROM pats t WHERE t.user_id = u.user_id AND lower(t.name) = lower($2) AND t.revoked_at IS NULL)) AS name_taken,
              (SELECT json_agg(tp) FROM token_policies tp WHERE tp.account_id = ANY($3::text[])) AS policies
         FROM directory_users u WHERE u.user_id = $1 FOR SHARE OF u`,
      [userId, name === null ? null : name.trim(), accountIds],
    );
    if (rows.length === 0) return { user: null, nameTaken: false, policies: {} };
    const r = rows[0];
    const policies = Object.fromEntries(
      (r.policies ?? []).map((p) => [
        p.account_id,
        {
          accountId: p.account_id,
          whoMayCreate: p.who_may_create,
          maxLifetimeDays: p.max_lifetime_days,
          contactScopes: p.contact_scopes,
        },
      ]),
    );
    return {
      user: {
        userId: r.user_id,
        kind: r.kind,
        email: r.email,
        active: r.status === 'active',
        permissions: r.permissions ?? {},
      },
      nameTaken: r.name_taken,
      policies,
    };
  }

  async userIdByEmail(email: string): Promise<string | null> {
    const rows = await this.db.query('SELECT user_id FROM directory_users WHERE email = $1', [
      email.trim().toLowerCase(),
    ]);
    return rows.length === 0 ? null : rows[0].user_id;
  }

  /** Inside a transaction, pass its manager: a second pool connection per command could exhaust the pool under load. */
  async policies(accountIds: readonly string[], manager?: EntityManager): Promise<Record<string, TokenPolicyView>> {
    const rows: Array<{
      account_id: string;
      who_may_create: TokenPolicyView['whoMayCreate'];
      max_lifetime_days: number | null;
      contact_scopes: string[];
    }> = await (manager ?? this.db).query('SELECT * FROM token_policies WHERE account_id = ANY($1::text[])', [
      accountIds,
    ]);
    return Object.fromEntries(
      rows.map((r) => [
        r.account_id,
        {
          accountId: r.account_id,
          whoMayCreate: r.who_may_create,
          maxLifetimeDays: r.max_lifetime_days,
          contactScopes: r.contact_scopes,
        },
      ]),
    );
  }

  /** The live (not revoked) grants of a user, or of an application: whom a reaction revokes. */
  async liveGrantsOf(owner: { userId: string } | { clientId: string }, manager: EntityManager): Promise<string[]> {
    const [column, id] = 'userId' in owner ? ['user_id', owner.userId] : ['client_id', owner.clientId];
    // a grant with live tokens, or an OAuth grant still live without any (remembered consent)
    const rows: Array<{ grant_id: string }> = await manager.query(
      `SELECT grant_id FROM token_hashes WHERE ${column} = $1 AND NOT revoked
       UNION SELECT grant_id FROM oauth_grants WHERE ${column} = $1 AND revoked_at IS NULL`,
      [id],
    );
    return rows.map((r) => r.grant_id);
  }

  /** What introspection needs about a token, by its hash. */
  async byHash(tokenHash: string): Promise<{
    tokenId: string;
    grantId: string;
    kind: string;
    userId: string | null;
    clientId: string | null;
    accountIds: string[];
    scopes: string[];
    expiresAt: Date | null;
    revoked: boolean;
  } | null> {
    const rows = await this.db.query('SELECT * FROM token_hashes WHERE token_hash = $1', [tokenHash]);
    if (rows.length === 0) return null;
    const r = rows[0];
    return {
      tokenId: r.token_id,
      grantId: r.grant_id,
      kind: r.token_kind,
      userId: r.user_id,
      clientId: r.client_id,
      accountIds: r.account_ids,
      scopes: r.scopes,
      expiresAt: r.expires_at,
      revoked: r.revoked,
    };
  }
}

function toPat(r: PatRow, now = Date.now()): PatView {
  const status =
    r.revoked_at !== null ? 'revoked' : r.expires_at !== null && r.expires_at.getTime() <= now ? 'expired' : 'active';
  return {
    id: r.grant_id,
    userId: r.user_id,
    name: r.name,
    description: r.description,
    displayPrefix: r.display_prefix,
    scopes: r.scopes,
    accountIds: r.account_ids,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    issuedAt: r.issued_at.toISOString(),
    expiresAt: r.expires_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    status,
  };
}

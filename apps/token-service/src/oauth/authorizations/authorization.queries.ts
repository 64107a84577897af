import type { DataSource } from 'typeorm';

/** An OAuth grant as Access & Security and the administrators see it. */
export interface AuthorizationView {
  grantId: string;
  kind: 'authorization' | 'client';
  /** Null for client grants. */
  userId: string | null;
  application: { clientId: string; name: string | null; ownerAccountId: string | null };
  scopes: string[];
  accountIds: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

interface Row {
  grant_id: string;
  kind: 'authorization' | 'client';
  user_id: string | null;
  client_id: string;
  name: string | null;
  owner_account_id: string | null;
  scopes: string[];
  account_ids: string[];
  created_at: Date;
  last_used_at: Date | null;
}

const SELECT = `SELECT g.grant_id, g.kind, g.user_id, g.client_id, a.name, a.owner_account_id, g.scopes, g.account_ids,
                       g.created_at, g.last_used_at
                  FROM oauth_grants g LEFT JOIN directory_applications a ON a.client_id = g.client_id`;
const PAGE = `AND ($2::timestamptz IS NULL OR (g.created_at, g.grant_id) > ($2::timestamptz, $3::text))
              ORDER BY g.created_at, g.grant_id LIMIT $4`;

/** Live OAuth grants, oldest first (keyset pages). */
export class AuthorizationQueries {
  constructor(private readonly db: DataSource) {}

  /** The applications a user authorized (live authorization grants). */
  async of(userId: string, limit: number, after: [string, string] | null): Promise<AuthorizationView[]> {
    const rows: Row[] = await this.db.query(
      `${SELECT} WHERE g.user_id = $1 AND g.kind = 'authorization' AND g.revoked_at IS NULL ${PAGE}`,
      [userId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(view);
  }

  /** Live OAuth grants that may act in an account (authorizations and client grants). */
  async in(accountId: string, limit: number, after: [string, string] | null): Promise<AuthorizationView[]> {
    const rows: Row[] = await this.db.query(
      `${SELECT} WHERE g.account_ids @> ARRAY[$1]::text[] AND g.revoked_at IS NULL ${PAGE}`,
      [accountId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(view);
  }

  /** One live grant, or null (revoked, unknown, not an OAuth grant). */
  async live(grantId: string): Promise<AuthorizationView | null> {
    const rows: Row[] = await this.db.query(`${SELECT} WHERE g.grant_id = $1 AND g.revoked_at IS NULL`, [grantId]);
    return rows[0] ? view(rows[0]) : null;
  }
}

function view(r: Row): AuthorizationView {
  return {
    grantId: r.grant_id,
    kind: r.kind,
    userId: r.user_id,
    application: { clientId: r.client_id, name: r.name, ownerAccountId: r.owner_account_id },
    scopes: r.scopes,
    accountIds: r.account_ids,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}

import type { DataSource } from 'typeorm';

export interface ApplicationView {
  clientId: string;
  ownerAccountId: string;
  name: string;
  description: string | null;
  clientType: 'confidential' | 'public';
  redirectUris: string[];
  grantTypes: string[];
  allowedScopes: string[];
  accountIds: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  firstParty: boolean;
  requirePushedAuthorizationRequests: boolean;
  status: 'enabled' | 'disabled';
  secretRotatedAt: string | null;
  previousSecretValidUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  client_id: string;
  owner_account_id: string;
  name: string;
  description: string | null;
  client_type: ApplicationView['clientType'];
  redirect_uris: string[];
  grant_types: string[];
  allowed_scopes: string[];
  account_ids: string[];
  access_token_ttl_seconds: number;
  refresh_token_ttl_seconds: number;
  first_party: boolean;
  require_pushed_authorization_requests: boolean;
  status: ApplicationView['status'];
  secret_rotated_at: Date | null;
  previous_secret_valid_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Reads of the applications read model. */
export class ApplicationQueries {
  constructor(private readonly db: DataSource) {}

  async application(clientId: string): Promise<ApplicationView | null> {
    const rows: Row[] = await this.db.query('SELECT * FROM applications WHERE client_id = $1', [clientId]);
    return rows.length === 0 ? null : toView(rows[0]);
  }

  /** The applications an account owns, oldest first, after the keyset `after` ([createdAt, clientId]). */
  async ownedBy(accountId: string, limit: number, after: [string, string] | null): Promise<ApplicationView[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM applications WHERE owner_account_id = $1
         AND ($2::timestamptz IS NULL OR (created_at, client_id) > ($2::timestamptz, $3::text))
       ORDER BY created_at, client_id LIMIT $4`,
      [accountId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map(toView);
  }
}

function toView(r: Row): ApplicationView {
  return {
    clientId: r.client_id,
    ownerAccountId: r.owner_account_id,
    name: r.name,
    description: r.description,
    clientType: r.client_type,
    redirectUris: r.redirect_uris,
    grantTypes: r.grant_types,
    allowedScopes: r.allowed_scopes,
    accountIds: r.account_ids,
    accessTokenTtlSeconds: r.access_token_ttl_seconds,
    refreshTokenTtlSeconds: r.refresh_token_ttl_seconds,
    firstParty: r.first_party,
    requirePushedAuthorizationRequests: r.require_pushed_authorization_requests,
    status: r.status,
    secretRotatedAt: r.secret_rotated_at?.toISOString() ?? null,
    previousSecretValidUntil: r.previous_secret_valid_until?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

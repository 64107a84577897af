import type { ClientType, OAuthGrantType } from '@latchkey/contracts';
import type { SecretHashes } from '@latchkey/token-format';
import type { DataSource, EntityManager } from 'typeorm';

/** An application as the authorization server sees it (token-service's read model of the registry's events). */
export interface OAuthClient {
  clientId: string;
  ownerAccountId: string;
  /** Shown on the consent page. */
  name: string;
  clientType: ClientType;
  status: 'active' | 'disabled' | 'deleted';
  /** Matched exactly, character for character. */
  redirectUris: readonly string[];
  grantTypes: readonly OAuthGrantType[];
  /** The ceiling of what the client may request (expanded scopes). */
  allowedScopes: readonly string[];
  /** The accounts the client may act in. */
  accountIds: readonly string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  firstParty: boolean;
  /**
   * Latchkey's own console: its grants carry its user's permissions in all the user's accounts
   * (decided at sign-in), whatever the registration's scopes and accounts.
   */
  console: boolean;
  /** Authorization requests must be pushed to /oauth/par first (RFC 9126). */
  requirePushedRequests: boolean;
  /** Confidential clients only; never a secret. */
  secret: SecretHashes | null;
}

interface ClientRow {
  client_id: string;
  owner_account_id: string | null;
  name: string | null;
  client_type: ClientType | null;
  status: OAuthClient['status'];
  redirect_uris: string[] | null;
  grant_types: OAuthGrantType[] | null;
  allowed_scopes: string[] | null;
  account_ids: string[] | null;
  access_token_ttl_seconds: number | null;
  refresh_token_ttl_seconds: number | null;
  first_party: boolean | null;
  require_pushed_authorization_requests: boolean;
  console: boolean;
  secret_hash: string | null;
  previous_secret_hash: string | null;
  previous_secret_valid_until: Date | null;
}

/** Reads clients from `directory_applications`; a row without its registration (not yet projected) is no client. */
export class OAuthClients {
  constructor(private readonly db: DataSource) {}

  async find(clientId: string, m: EntityManager = this.db.manager): Promise<OAuthClient | null> {
    if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 200) return null;
    const rows: ClientRow[] = await m.query(
      `SELECT client_id, owner_account_id, name, client_type, status, redirect_uris, grant_types, allowed_scopes,
              account_ids, access_token_ttl_seconds, refresh_token_ttl_seconds, first_party,
              require_pushed_authorization_requests, console, secret_hash,
              previous_secret_hash, previous_secret_valid_until
         FROM directory_applications WHERE client_id = $1`,
      [clientId],
    );
    const row = rows[0];
    return row ? toClient(row) : null;
  }
}

function toClient(r: ClientRow): OAuthClient | null {
  if (
    r.name === null ||
    r.owner_account_id === null ||
    r.client_type === null ||
    r.redirect_uris === null ||
    r.grant_types === null ||
    r.allowed_scopes === null ||
    r.account_ids === null ||
    r.access_token_ttl_seconds === null ||
    r.refresh_token_ttl_seconds === null ||
    r.first_party === null
  )
    return null;
  return {
    clientId: r.client_id,
    ownerAccountId: r.owner_account_id,
    name: r.name,
    clientType: r.client_type,
    status: r.status,
    redirectUris: r.redirect_uris,
    grantTypes: r.grant_types,
    allowedScopes: r.allowed_scopes,
    accountIds: r.account_ids,
    accessTokenTtlSeconds: r.access_token_ttl_seconds,
    refreshTokenTtlSeconds: r.refresh_token_ttl_seconds,
    firstParty: r.first_party,
    console: r.console,
    requirePushedRequests: r.require_pushed_authorization_requests,
    secret:
      r.client_type === 'confidential' && r.secret_hash !== null
        ? {
            currentHash: r.secret_hash,
            previousHash: r.previous_secret_hash,
            previousValidUntil: r.previous_secret_valid_until?.toISOString() ?? null,
          }
        : null,
  };
}

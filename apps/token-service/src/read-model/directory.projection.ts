import type { EntityManager } from 'typeorm';
import type { LatchkeyEvent } from '@latchkey/contracts';

/**
 * The directory token-service needs to issue tokens (who exists, their kind and status, their
 * resolved permissions per account), projected from identity.events.v1. Runs in the
 * transaction that records the event as processed (exactly once per event id); per-user order
 * is Kafka's (key = userId), and the version guard ignores anything older than what is applied.
 */
export async function projectDirectoryEvent(m: EntityManager, e: LatchkeyEvent): Promise<void> {
  switch (e.type) {
    case 'AccountCreated':
      // an account's name is fixed at creation (there is no rename event)
      await m.query(
        'INSERT INTO directory_accounts (account_id, name) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING',
        [e.data.accountId, e.data.name],
      );
      return;
    case 'UserRegistered':
      await m.query(
        `INSERT INTO directory_users (user_id, kind, email, status, version) VALUES ($1, $2, $3, 'active', $4)
         ON CONFLICT (user_id) DO UPDATE SET kind = EXCLUDED.kind, email = EXCLUDED.email WHERE directory_users.version < EXCLUDED.version`,
        [e.data.userId, e.data.kind, e.data.email ?? null, e.aggregateVersion],
      );
      return;
    case 'MembershipChanged':
      if (e.data.permissions.length === 0 && e.data.roles.length === 0) {
        await m.query('DELETE FROM user_permissions WHERE user_id = $1 AND account_id = $2', [
          e.data.userId,
          e.data.accountId,
        ]);
      } else {
        await m.query(
          `INSERT INTO user_permissions (user_id, account_id, permissions) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, account_id) DO UPDATE SET permissions = EXCLUDED.permissions`,
          [e.data.userId, e.data.accountId, e.data.permissions],
        );
      }
      await bump(m, e.data.userId, e.aggregateVersion);
      return;
    case 'UserDeactivated':
      await m.query(
        `UPDATE directory_users SET status = 'deactivated', version = $2, updated_at = now() WHERE user_id = $1 AND version < $2`,
        [e.data.userId, e.aggregateVersion],
      );
      return;
    case 'UserReactivated':
      await m.query(
        `UPDATE directory_users SET status = 'active', version = $2, updated_at = now() WHERE user_id = $1 AND version < $2`,
        [e.data.userId, e.aggregateVersion],
      );
      return;
    default:
      return;
  }
}

/**
 * The application directory from applications.events.v1: status, version and what the
 * authorization server needs (name, client type, redirect URIs, grant types, scope ceiling,
 * accounts, lifetimes, first-party, secret hashes — never a secret), guarded by version (per-client
 * order is Kafka's, key = clientId). Deleted is final, and a deleted client keeps no secret hash.
 */
export async function projectApplicationEvent(m: EntityManager, e: LatchkeyEvent): Promise<void> {
  const live = `client_id = $1 AND version < $2 AND status <> 'deleted'`;
  switch (e.type) {
    case 'ApplicationRegistered': {
      const d = e.data;
      await m.query(
        `INSERT INTO directory_applications (client_id, owner_account_id, status, version, name, client_type,
           redirect_uris, grant_types, allowed_scopes, account_ids, access_token_ttl_seconds,
           refresh_token_ttl_seconds, first_party, secret_hash, require_pushed_authorization_requests, console)
         VALUES ($1, $3, 'active', $2, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (client_id) DO UPDATE
           SET owner_account_id = EXCLUDED.owner_account_id, status = EXCLUDED.status, version = EXCLUDED.version,
               name = EXCLUDED.name, client_type = EXCLUDED.client_type, redirect_uris = EXCLUDED.redirect_uris,
               grant_types = EXCLUDED.grant_types, allowed_scopes = EXCLUDED.allowed_scopes,
               account_ids = EXCLUDED.account_ids, access_token_ttl_seconds = EXCLUDED.access_token_ttl_seconds,
               refresh_token_ttl_seconds = EXCLUDED.refresh_token_ttl_seconds, first_party = EXCLUDED.first_party,
               require_pushed_authorization_requests = EXCLUDED.require_pushed_authorization_requests,
               console = EXCLUDED.console, secret_hash = EXCLUDED.secret_hash, previous_secret_hash = NULL, previous_secret_valid_until = NULL,
               updated_at = now()
         WHERE directory_applications.version < EXCLUDED.version AND directory_applications.status <> 'deleted'`,
        [
          d.clientId,
          e.aggregateVersion,
          d.ownerAccountId,
          d.name,
          d.clientType,
          d.redirectUris,
          d.grantTypes,
          d.allowedScopes,
          d.accountIds,
          d.accessTokenTtlSeconds,
          d.refreshTokenTtlSeconds,
          d.firstParty,
          d.secretHash ?? null,
          d.requirePushedAuthorizationRequests === true,
          d.console === true,
        ],
      );
      return;
    }
    case 'ApplicationUpdated': {
      const d = e.data;
      await m.query(
        `UPDATE directory_applications
            SET version = $2, updated_at = now(),
                name = COALESCE($3, name), redirect_uris = COALESCE($4, redirect_uris),
                grant_types = COALESCE($5, grant_types), allowed_scopes = COALESCE($6, allowed_scopes),
                account_ids = COALESCE($7, account_ids),
                access_token_ttl_seconds = COALESCE($8, access_token_ttl_seconds),
                refresh_token_ttl_seconds = COALESCE($9, refresh_token_ttl_seconds),
                first_party = COALESCE($10, first_party),
                require_pushed_authorization_requests = COALESCE($11, require_pushed_authorization_requests)
          WHERE ${live}`,
        [
          d.clientId,
          e.aggregateVersion,
          d.name ?? null,
          d.redirectUris ?? null,
          d.grantTypes ?? null,
          d.allowedScopes ?? null,
          d.accountIds ?? null,
          d.accessTokenTtlSeconds ?? null,
          d.refreshTokenTtlSeconds ?? null,
          d.firstParty ?? null,
          d.requirePushedAuthorizationRequests ?? null,
        ],
      );
      return;
    }
    case 'ApplicationSecretRotated':
      await m.query(
        `UPDATE directory_applications
            SET version = $2, updated_at = now(),
                previous_secret_hash = CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE secret_hash END,
                previous_secret_valid_until = $4, secret_hash = $3
          WHERE ${live}`,
        [e.data.clientId, e.aggregateVersion, e.data.secretHash, e.data.previousSecretValidUntil],
      );
      return;
    case 'ApplicationEnabled':
    case 'ApplicationDisabled':
    case 'ApplicationDeleted': {
      const status =
        e.type === 'ApplicationEnabled' ? 'active' : e.type === 'ApplicationDisabled' ? 'disabled' : 'deleted';
      await m.query(
        `INSERT INTO directory_applications (client_id, status, version) VALUES ($1, $3, $2)
         ON CONFLICT (client_id) DO UPDATE
           SET status = EXCLUDED.status, version = EXCLUDED.version, updated_at = now(),
               secret_hash = CASE WHEN EXCLUDED.status = 'deleted' THEN NULL ELSE directory_applications.secret_hash END,
               previous_secret_hash = CASE WHEN EXCLUDED.status = 'deleted' THEN NULL
                                           ELSE directory_applications.previous_secret_hash END
         WHERE directory_applications.version < EXCLUDED.version AND directory_applications.status <> 'deleted'`,
        [e.data.clientId, e.aggregateVersion, status],
      );
      return;
    }
    default:
      return;
  }
}

/**
 * Whether `version` is still the newest the directory knows of a user or application (a replayed
 * old UserDeactivated must not revoke grants made after a later reactivation).
 */
export async function isCurrentVersion(
  m: EntityManager,
  of: { userId: string } | { clientId: string },
  version: number,
): Promise<boolean> {
  const [sql, id] =
    'userId' in of
      ? ['SELECT version FROM directory_users WHERE user_id = $1', of.userId]
      : ['SELECT version FROM directory_applications WHERE client_id = $1', of.clientId];
  const rows: Array<{ version: number }> = await m.query(sql, [id]);
  return rows.length === 0 || rows[0].version <= version;
}

function bump(m: EntityManager, userId: string, version: number): Promise<unknown> {
  return m.query('UPDATE directory_users SET version = $2, updated_at = now() WHERE user_id = $1 AND version < $2', [
    userId,
    version,
  ]);
}

import type { EntityManager } from 'typeorm';
import type { EventEnvelope, LatchkeyEvent } from '@latchkey/contracts';

/**
 * The applications read model from application events: one reducer per event type, inside the
 * command's transaction; idempotent (keyed upserts), so a rebuild may replay everything. A
 * deleted application leaves the read model (its events stay in the store).
 */
export async function projectApplicationEvents(
  manager: EntityManager,
  envelopes: readonly EventEnvelope[],
): Promise<void> {
  for (const envelope of envelopes) await projectOne(manager, envelope as LatchkeyEvent);
}

const COLUMNS: Record<string, string> = {
  name: 'name',
  description: 'description',
  redirectUris: 'redirect_uris',
  grantTypes: 'grant_types',
  allowedScopes: 'allowed_scopes',
  accountIds: 'account_ids',
  accessTokenTtlSeconds: 'access_token_ttl_seconds',
  refreshTokenTtlSeconds: 'refresh_token_ttl_seconds',
  firstParty: 'first_party',
  requirePushedAuthorizationRequests: 'require_pushed_authorization_requests',
};

async function projectOne(m: EntityManager, e: LatchkeyEvent): Promise<void> {
  switch (e.type) {
    case 'ApplicationRegistered': {
      const d = e.data;
      await m.query(
        `INSERT INTO applications (client_id, owner_account_id, name, description, client_type, redirect_uris, grant_types, allowed_scopes, account_ids,
           access_token_ttl_seconds, refresh_token_ttl_seconds, first_party, require_pushed_authorization_requests, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, 'enabled', $13, $13) ON CONFLICT (client_id) DO NOTHING`,
        [
          d.clientId,
          d.ownerAccountId,
          d.name,
          d.description ?? null,
          d.clientType,
          d.redirectUris,
          d.grantTypes,
          d.allowedScopes,
          d.accountIds,
          d.accessTokenTtlSeconds,
          d.refreshTokenTtlSeconds,
          d.firstParty,
          e.occurredAt,
          d.requirePushedAuthorizationRequests === true,
        ],
      );
      return;
    }
    case 'ApplicationUpdated': {
      const sets: string[] = [];
      const values: unknown[] = [e.data.clientId, e.occurredAt];
      for (const [field, column] of Object.entries(COLUMNS)) {
        const value = (e.data as Record<string, unknown>)[field];
        if (value === undefined) continue;
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      }
      await m.query(`UPDATE applications SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE client_id = $1`, values);
      return;
    }
    case 'ApplicationSecretRotated':
      await m.query(
        'UPDATE applications SET secret_rotated_at = $2, previous_secret_valid_until = $3, updated_at = $2 WHERE client_id = $1',
        [e.data.clientId, e.occurredAt, e.data.previousSecretValidUntil],
      );
      return;
    case 'ApplicationDisabled':
      await m.query(`UPDATE applications SET status = 'disabled', updated_at = $2 WHERE client_id = $1`, [
        e.data.clientId,
        e.occurredAt,
      ]);
      return;
    case 'ApplicationEnabled':
      await m.query(`UPDATE applications SET status = 'enabled', updated_at = $2 WHERE client_id = $1`, [
        e.data.clientId,
        e.occurredAt,
      ]);
      return;
    case 'ApplicationDeleted':
      await m.query('DELETE FROM applications WHERE client_id = $1', [e.data.clientId]);
      return;
    default:
      return; // events of other services never reach this store
  }
}

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
 * The application directory from applications.events.v1: status and version, guarded by version
 * (per-client order is Kafka's, key = clientId). Deleted is final.
 */
export async function projectApplicationEvent(m: EntityManager, e: LatchkeyEvent): Promise<void> {
  let status: 'active' | 'disabled' | 'deleted';
  let owner: string | null = null;
  switch (e.type) {
    case 'ApplicationRegistered':
      status = 'active';
      owner = e.data.ownerAccountId;
      break;
    case 'ApplicationEnabled':
      status = 'active';
      break;
    case 'ApplicationDisabled':
      status = 'disabled';
      break;
    case 'ApplicationDeleted':
      status = 'deleted';
      break;
    default:
      return;
  }
  await m.query(
    `INSERT INTO directory_applications (client_id, owner_account_id, status, version) VALUES ($1, $2, $3, $4)
     ON CONFLICT (client_id) DO UPDATE
       SET status = EXCLUDED.status, version = EXCLUDED.version, updated_at = now(),
           owner_account_id = COALESCE(EXCLUDED.owner_account_id, directory_applications.owner_account_id)
     WHERE directory_applications.version < EXCLUDED.version AND directory_applications.status <> 'deleted'`,
    [e.data.clientId, owner, status, e.aggregateVersion],
  );
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

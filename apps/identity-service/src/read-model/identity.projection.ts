import type { EntityManager } from 'typeorm';
import type { EventEnvelope, LatchkeyEvent } from '@latchkey/contracts';

/**
 * The read models (accounts, users, memberships) from identity events: one reducer per event
 * type, run inside the command's transaction, so a read never shows what the event store does
 * not hold. Idempotent (upserts keyed by id), so a rebuild may replay everything.
 */
export async function projectIdentityEvents(
  manager: EntityManager,
  envelopes: readonly EventEnvelope[],
): Promise<void> {
  for (const envelope of envelopes) await projectOne(manager, envelope as LatchkeyEvent);
}

async function projectOne(m: EntityManager, e: LatchkeyEvent): Promise<void> {
  switch (e.type) {
    case 'AccountCreated':
      await m.query(
        `INSERT INTO accounts (account_id, name, kind, parent_account_id, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id) DO NOTHING`,
        [e.data.accountId, e.data.name, e.data.kind, e.data.parentAccountId ?? null, e.occurredAt],
      );
      return;
    case 'UserRegistered':
      await m.query(
        `INSERT INTO users (user_id, kind, email, display_name, status, home_account_id, created_at, updated_at, profile_updated_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $6, $6) ON CONFLICT (user_id) DO NOTHING`,
        [e.data.userId, e.data.kind, e.data.email ?? null, e.data.displayName, e.data.accountIds[0], e.occurredAt],
      );
      return;
    case 'MembershipChanged':
      if (e.data.roles.length === 0) {
        await m.query('DELETE FROM memberships WHERE user_id = $1 AND account_id = $2', [
          e.data.userId,
          e.data.accountId,
        ]);
      } else {
        await m.query(
          `INSERT INTO memberships (user_id, account_id, roles, permissions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
           ON CONFLICT (user_id, account_id) DO UPDATE SET roles = EXCLUDED.roles, permissions = EXCLUDED.permissions, updated_at = EXCLUDED.updated_at`,
          [e.data.userId, e.data.accountId, e.data.roles, e.data.permissions, e.occurredAt],
        );
      }
      await touchUser(m, e.data.userId, e.occurredAt);
      return;
    case 'UserDeactivated':
      await m.query(
        `UPDATE users SET status = 'deactivated', updated_at = $2, profile_updated_at = $2 WHERE user_id = $1`,
        [e.data.userId, e.occurredAt],
      );
      return;
    case 'UserReactivated':
      await m.query(`UPDATE users SET status = 'active', updated_at = $2, profile_updated_at = $2 WHERE user_id = $1`, [
        e.data.userId,
        e.occurredAt,
      ]);
      return;
    default:
      return; // events of other services never reach this store
  }
}

function touchUser(m: EntityManager, userId: string, at: string): Promise<unknown> {
  return m.query('UPDATE users SET updated_at = $2 WHERE user_id = $1', [userId, at]);
}

import type { EntityManager } from 'typeorm';
import type { EventEnvelope, LatchkeyEvent } from '@latchkey/contracts';

/**
 * token-service's own read models from its own events (pats, token_hashes, token_policies): one
 * reducer per event type, inside the command's transaction; idempotent, so a rebuild may replay
 * the store. Holds hashes and display prefixes only, never a token.
 */
export async function projectTokenEvents(manager: EntityManager, envelopes: readonly EventEnvelope[]): Promise<void> {
  const events = envelopes as readonly LatchkeyEvent[];
  // a PAT's GrantCreated and its first TokenIssued come in one append: one complete row
  const [first, second] = events;
  if (
    events.length === 2 &&
    first.type === 'GrantCreated' &&
    second.type === 'TokenIssued' &&
    first.data.kind === 'personal' &&
    second.data.grantId === first.data.grantId
  ) {
    await insertPat(manager, first, second);
    return;
  }
  // an OAuth exchange or refresh: [TokenRevoked (the rotated refresh token)], TokenIssued × 1–2
  if (isOAuthIssue(events)) {
    await insertOAuthTokens(manager, events);
    return;
  }
  for (const e of events) await projectOne(manager, e);
}

type Issued = Extract<LatchkeyEvent, { type: 'TokenIssued' }>;

function isOAuthIssue(events: readonly LatchkeyEvent[]): boolean {
  const start = events[0]?.type === 'TokenRevoked' ? 1 : 0;
  const issued = events.slice(start);
  return (
    issued.length > 0 &&
    issued.every((e) => e.type === 'TokenIssued' && (e.data.tokenKind === 'access' || e.data.tokenKind === 'refresh'))
  );
}

/** The token rows of one OAuth issue (and the rotated refresh token's revocation), in one statement. */
async function insertOAuthTokens(m: EntityManager, events: readonly LatchkeyEvent[]): Promise<void> {
  const rotated = events[0].type === 'TokenRevoked' ? events[0].data.tokenId : null;
  await insertTokenHashes(
    m,
    events.filter((e): e is Issued => e.type === 'TokenIssued'),
    rotated,
  );
}

/** `token_hashes` rows of issued tokens — and, if given, one token's revocation — in one statement. */
async function insertTokenHashes(m: EntityManager, issued: readonly Issued[], revokedTokenId: string | null = null) {
  const params: unknown[] = revokedTokenId === null ? [] : [revokedTokenId];
  const values = issued.map((e) => {
    const d = e.data;
    const n = params.length;
    params.push(d.tokenHash, d.tokenId, d.grantId, d.tokenKind, d.userId ?? null, d.clientId ?? null);
    params.push(d.accountIds, d.scopes, d.issuedAt, d.expiresAt ?? null);
    return `(${Array.from({ length: 10 }, (_, i) => `$${n + i + 1}`).join(', ')})`;
  });
  const revoke =
    revokedTokenId === null ? '' : 'WITH revoked AS (UPDATE token_hashes SET revoked = true WHERE token_id = $1) ';
  await m.query(
    `${revoke}INSERT INTO token_hashes (token_hash, token_id, grant_id, token_kind, user_id, client_id, account_ids, scopes, issued_at, expires_at)
     VALUES ${values.join(', ')} ON CONFLICT (token_hash) DO NOTHING`,
    params,
  );
}

/** A new PAT's read-model row and its token's hash row, in one statement. */
async function insertPat(
  m: EntityManager,
  created: Extract<LatchkeyEvent, { type: 'GrantCreated' }>,
  issued: Extract<LatchkeyEvent, { type: 'TokenIssued' }>,
): Promise<void> {
  const d = created.data;
  const t = issued.data;
  await m.query(
    `WITH hashed AS (
       INSERT INTO token_hashes (token_hash, token_id, grant_id, token_kind, user_id, client_id, account_ids, scopes, issued_at, expires_at)
       VALUES ($13, $9, $1, $14, $2, $15, $6, $5, $11, $12) ON CONFLICT (token_hash) DO NOTHING
     )
     INSERT INTO pats (grant_id, user_id, name, description, scopes, account_ids, created_by, created_at, token_id, display_prefix, issued_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (grant_id) DO NOTHING`,
    [
      d.grantId,
      d.userId,
      d.name ?? '',
      d.description ?? null,
      d.scopes,
      d.accountIds,
      d.createdBy,
      created.occurredAt,
      t.tokenId,
      t.displayPrefix,
      t.issuedAt,
      t.expiresAt,
      t.tokenHash,
      t.tokenKind,
      t.clientId ?? null,
    ],
  );
}

async function projectOne(m: EntityManager, e: LatchkeyEvent): Promise<void> {
  switch (e.type) {
    case 'GrantCreated': {
      const d = e.data;
      if (d.kind === 'authorization' || d.kind === 'client') {
        await m.query(
          `INSERT INTO oauth_grants (grant_id, kind, user_id, client_id, scopes, account_ids, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (grant_id) DO NOTHING`,
          [d.grantId, d.kind, d.userId ?? null, d.clientId, d.scopes, d.accountIds, e.occurredAt],
        );
        return;
      }
      if (d.userId === undefined) return;
      // the token columns are filled by the TokenIssued that follows in the same append
      await m.query(
        `INSERT INTO pats (grant_id, user_id, name, description, scopes, account_ids, created_by, created_at, token_id, display_prefix, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', '', $8) ON CONFLICT (grant_id) DO NOTHING`,
        [d.grantId, d.userId, d.name ?? '', d.description ?? null, d.scopes, d.accountIds, d.createdBy, e.occurredAt],
      );
      return;
    }
    case 'TokenIssued': {
      const d = e.data;
      await insertTokenHashes(m, [e]);
      if (d.tokenKind === 'pat') {
        await m.query(
          'UPDATE pats SET token_id = $2, display_prefix = $3, issued_at = $4, expires_at = $5 WHERE grant_id = $1',
          [d.grantId, d.tokenId, d.displayPrefix, d.issuedAt, d.expiresAt],
        );
      }
      return;
    }
    case 'TokenRevoked':
      await m.query('UPDATE token_hashes SET revoked = true WHERE token_id = $1', [e.data.tokenId]);
      return;
    case 'GrantRevoked':
      await m.query('UPDATE token_hashes SET revoked = true WHERE grant_id = $1', [e.data.grantId]);
      await m.query(
        'UPDATE oauth_grants SET revoked_at = $2, revoke_reason = $3 WHERE grant_id = $1 AND revoked_at IS NULL',
        [e.data.grantId, e.data.revokedAt, e.data.reason],
      );
      await m.query('UPDATE pats SET revoked_at = $2, revoke_reason = $3 WHERE grant_id = $1 AND revoked_at IS NULL', [
        e.data.grantId,
        e.data.revokedAt,
        e.data.reason,
      ]);
      return;
    case 'TokenPolicyChanged': {
      const d = e.data;
      await m.query(
        `INSERT INTO token_policies (account_id, who_may_create, max_lifetime_days, contact_scopes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id) DO UPDATE SET who_may_create = EXCLUDED.who_may_create, max_lifetime_days = EXCLUDED.max_lifetime_days, contact_scopes = EXCLUDED.contact_scopes`,
        [d.accountId, d.whoMayCreate, d.maxLifetimeDays, d.contactScopes],
      );
      return;
    }
    default:
      return;
  }
}

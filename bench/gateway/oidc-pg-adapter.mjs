// A PostgreSQL storage adapter for oidc-provider, for the gateway benchmark's comparison (c-pg)
// and the oauth benchmark's oidc-provider on PostgreSQL:
// oidc-provider's in-memory adapter is for development only (it says so at start: state is lost
// on restart and not shared between processes), so a production deployment stores its tokens in
// a database. This is the adapter interface oidc-provider documents (upsert, find, findByUid,
// findByUserCode, consume, destroy, revokeByGrantId) over one table, with a pg pool. One row per
// model instance; `find` is one indexed primary-key lookup, and it, `upsert` and `consume` (the
// statements of every introspection, code exchange and refresh) are named statements, prepared
// once per connection, so PostgreSQL does not parse and plan them on every request. No
// transactions: oidc-provider makes its adapter calls one by one.
import pg from 'pg';

let pool = null;

/** Creates the table (if needed) and the pool; call once before the provider serves. */
export async function connectOidcStore(connectionString, { max = 10 } = {}) {
  pool = new pg.Pool({ connectionString, max });
  await pool.query(`CREATE TABLE IF NOT EXISTS oidc_models (
    model text NOT NULL,
    id text NOT NULL,
    payload jsonb NOT NULL,
    grant_id text,
    uid text,
    user_code text,
    expires_at timestamptz,
    consumed_at timestamptz,
    PRIMARY KEY (model, id))`);
  await pool.query('CREATE INDEX IF NOT EXISTS oidc_models_grant_id ON oidc_models (grant_id)');
  await pool.query('CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid)');
  await pool.query('CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (model, user_code)');
}

export async function closeOidcStore() {
  await pool?.end();
  pool = null;
}

/** A row → what oidc-provider expects (`undefined` when absent or expired; `consumed` set when consumed). */
function toPayload(row) {
  if (!row) return undefined;
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return undefined;
  return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
}

export class PgAdapter {
  constructor(model) {
    this.model = model;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = typeof expiresIn === 'number' ? new Date(Date.now() + expiresIn * 1000) : null;
    await pool.query({
      name: 'oidc-upsert',
      text: `INSERT INTO oidc_models (model, id, payload, grant_id, uid, user_code, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
      values: [
        this.model,
        id,
        payload,
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        expiresAt,
      ],
    });
  }

  async find(id) {
    const { rows } = await pool.query({
      name: 'oidc-find',
      text: 'SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = $1 AND id = $2',
      values: [this.model, id],
    });
    return toPayload(rows[0]);
  }

  async findByUid(uid) {
    const { rows } = await pool.query(
      'SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = $1 AND uid = $2',
      [this.model, uid],
    );
    return toPayload(rows[0]);
  }

  async findByUserCode(userCode) {
    const { rows } = await pool.query(
      'SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = $1 AND user_code = $2',
      [this.model, userCode],
    );
    return toPayload(rows[0]);
  }

  async consume(id) {
    await pool.query({
      name: 'oidc-consume',
      text: 'UPDATE oidc_models SET consumed_at = now() WHERE model = $1 AND id = $2',
      values: [this.model, id],
    });
  }

  async destroy(id) {
    await pool.query('DELETE FROM oidc_models WHERE model = $1 AND id = $2', [this.model, id]);
  }

  async revokeByGrantId(grantId) {
    await pool.query('DELETE FROM oidc_models WHERE grant_id = $1', [grantId]);
  }
}

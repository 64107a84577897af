import { randomUUID } from 'node:crypto';
import { createEmptyDatabase, type EmptyDatabase } from '@latchkey/testing';
import { createDataSource } from '../database/data-source';
import { runMigrations } from '../migrate';
import { pruneExpiredTokenHashes } from './expired-token-hashes';

describe('pruning the hashes of long-expired tokens (real PostgreSQL)', () => {
  let db: EmptyDatabase;
  const ds = () => dataSource;
  let dataSource: ReturnType<typeof createDataSource>;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.url);
    dataSource = createDataSource(db.url);
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const row = (expiresAt: Date | null) =>
    ds().query(
      `INSERT INTO token_hashes (token_hash, token_id, grant_id, token_kind, user_id, account_ids, scopes, issued_at, expires_at)
       VALUES ($1, $2, $3, 'access', 'u1', ARRAY['a1'], ARRAY['orders:read'], now(), $4)`,
      [randomUUID(), randomUUID(), randomUUID(), expiresAt],
    );

  it('deletes rows of tokens expired before the cut-off, in batches, and keeps live, recently expired and never-expiring ones', async () => {
    const now = Date.now();
    for (let i = 0; i < 25; i++) await row(new Date(now - 10 * 86_400_000));
    await row(new Date(now - 3_600_000)); // expired an hour ago
    await row(new Date(now + 3_600_000)); // live
    await row(null); // never expires
    const deleted = await pruneExpiredTokenHashes(ds(), new Date(now - 7 * 86_400_000), 10);
    expect(deleted).toBe(25);
    const [{ n }] = await ds().query('SELECT count(*)::int AS n FROM token_hashes');
    expect(n).toBe(3);
  });
});

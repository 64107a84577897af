import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import { CONSOLE_MIGRATIONS } from '../database/data-source';
import { SessionStore } from './session-store';

describe('SessionStore (real PostgreSQL)', () => {
  let db: TestDatabase;
  let store: SessionStore;
  const key = randomBytes(32);
  const tokens = { accessToken: `lk_oat_${'a'.repeat(40)}`, refreshToken: `lk_ort_${'b'.repeat(40)}` };
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  beforeAll(async () => {
    db = await createTestDatabase(CONSOLE_MIGRATIONS);
    store = new SessionStore(db.dataSource, key);
  });
  afterAll(() => db.drop());

  it('finds a session by the id the cookie holds, and the table holds neither the id nor a token', async () => {
    const userId = randomUUID();
    const id = await store.create({ userId, label: 'Ada <ada@example.com>' }, tokens, inAnHour(), inAnHour());
    const found = await store.find(id);
    expect(found).toMatchObject({ id, userId, userLabel: 'Ada <ada@example.com>', tokens });
    const rows = (await db.dataSource.query('SELECT * FROM console_sessions')) as Array<Record<string, unknown>>;
    const table =
      JSON.stringify(rows) + rows.map((r) => Buffer.from(r.sealed_tokens as Buffer).toString('latin1')).join('');
    for (const secret of [id, tokens.accessToken, tokens.refreshToken, 'a'.repeat(20), 'b'.repeat(20)])
      expect(table).not.toContain(secret);
  });

  it('finds nothing for an unknown, empty, oversized, expired or deleted id', async () => {
    expect(await store.find('no-such-session')).toBeNull();
    expect(await store.find('')).toBeNull();
    expect(await store.find('x'.repeat(1000))).toBeNull();
    const expired = await store.create(
      { userId: randomUUID(), label: 'Ada <ada@example.com>' },
      tokens,
      new Date(Date.now() - 1000),
      new Date(Date.now() - 1000),
    );
    expect(await store.find(expired)).toBeNull();
    const deleted = await store.create(
      { userId: randomUUID(), label: 'Ada <ada@example.com>' },
      tokens,
      inAnHour(),
      inAnHour(),
    );
    await store.delete(deleted);
    expect(await store.find(deleted)).toBeNull();
  });

  it('a session sealed under another key does not open (rotating SESSION_KEY ends every session)', async () => {
    const id = await store.create(
      { userId: randomUUID(), label: 'Ada <ada@example.com>' },
      tokens,
      inAnHour(),
      inAnHour(),
    );
    expect(await new SessionStore(db.dataSource, randomBytes(32)).find(id)).toBeNull();
    expect(await store.find(id)).not.toBeNull();
  });

  it('replaces the tokens after a refresh', async () => {
    const id = await store.create(
      { userId: randomUUID(), label: 'Ada <ada@example.com>' },
      tokens,
      inAnHour(),
      inAnHour(),
    );
    const rotated = { accessToken: `lk_oat_${'c'.repeat(40)}`, refreshToken: `lk_ort_${'d'.repeat(40)}` };
    const later = new Date(Date.now() + 7_200_000);
    await store.replaceTokens(id, rotated, later);
    const found = await store.find(id);
    expect(found?.tokens).toEqual(rotated);
    expect(found?.accessExpiresAt.getTime()).toBe(later.getTime());
  });

  it('refreshes tokens that are about to expire once, even when two requests of the session ask at the same time', async () => {
    const soon = new Date(Date.now() + 5_000);
    const id = await store.create({ userId: randomUUID(), label: 'Ada <ada@example.com>' }, tokens, soon, inAnHour());
    const session = (await store.find(id))!;
    let refreshes = 0;
    const refresh = async (refreshToken: string) => {
      refreshes++;
      expect(refreshToken).toBe(tokens.refreshToken);
      await new Promise((r) => setTimeout(r, 50));
      return {
        accessToken: `lk_at_${'n'.repeat(40)}`,
        refreshToken: `lk_rt_${'m'.repeat(40)}`,
        accessExpiresAt: inAnHour(),
      };
    };
    const [a, b] = await Promise.all([
      store.freshTokens(session, 60_000, refresh),
      store.freshTokens(session, 60_000, refresh),
    ]);
    expect(refreshes).toBe(1);
    expect(a).toEqual(b);
    expect(a.refreshToken).toBe(`lk_rt_${'m'.repeat(40)}`);
    expect((await store.find(id))?.tokens).toEqual(a);
    // not due: the stored tokens, no refresh
    const fresh = (await store.find(id))!;
    expect(await store.freshTokens(fresh, 60_000, () => Promise.reject(new Error('not called')))).toEqual(a);
  });

  it('a refresh that fails leaves the error to the caller (which ends the session)', async () => {
    const id = await store.create(
      { userId: randomUUID(), label: 'Ada <ada@example.com>' },
      tokens,
      new Date(Date.now() - 1),
      inAnHour(),
    );
    const session = (await store.find(id))!;
    await expect(store.freshTokens(session, 60_000, () => Promise.reject(new Error('invalid_grant')))).rejects.toThrow(
      'invalid_grant',
    );
  });

  it('a login under way is taken once, by its state: a replayed callback finds nothing', async () => {
    const state = await store.beginLogin({ codeVerifier: 'v'.repeat(43), returnTo: '/tokens' });
    const [row] = (await db.dataSource.query('SELECT * FROM console_logins')) as Array<{ sealed_verifier: Buffer }>;
    expect(Buffer.from(row.sealed_verifier).toString('latin1')).not.toContain('v'.repeat(10));
    expect(await store.takeLogin(state)).toEqual({ codeVerifier: 'v'.repeat(43), returnTo: '/tokens' });
    expect(await store.takeLogin(state)).toBeNull();
    expect(await store.takeLogin('forged-state')).toBeNull();
  });

  it('sweeps expired sessions and logins, and keeps live ones', async () => {
    const live = await store.create(
      { userId: randomUUID(), label: 'Ada <ada@example.com>' },
      tokens,
      inAnHour(),
      inAnHour(),
    );
    await store.create(
      { userId: randomUUID(), label: 'Ada <ada@example.com>' },
      tokens,
      new Date(Date.now() - 1000),
      new Date(Date.now() - 1000),
    );
    await db.dataSource.query(
      "INSERT INTO console_logins (state_hash, sealed_verifier, return_to, expires_at) VALUES ('\\x00', '\\x00', '/', now() - interval '1 second')",
    );
    expect(await store.sweep()).toBeGreaterThanOrEqual(2);
    expect(await store.find(live)).not.toBeNull();
    const [{ n }] = (await db.dataSource.query(
      'SELECT count(*)::int AS n FROM console_sessions WHERE expires_at <= now()',
    )) as Array<{ n: number }>;
    expect(n).toBe(0);
  });
});

import { createEmptyDatabase, type EmptyDatabase } from '@latchkey/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../database/data-source';
import { runMigrations } from '../../migrate';
import { BrowserState, INTERACTION_LIFETIME_MS, SESSION_LIFETIME_MS } from './browser-state';
import { BROWSER_STATE_RETENTION_MS, pruneBrowserState } from './browser-state-pruner';

describe('the authorization server’s browser state (real PostgreSQL)', () => {
  let db: EmptyDatabase;
  let ds: DataSource;
  let now = Date.parse('2026-12-01T12:00:00Z');
  let state: BrowserState;
  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(db.url);
    ds = createDataSource(db.url, 2);
    await ds.initialize();
    state = new BrowserState(ds, () => new Date(now));
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });
  const request = {
    clientId: 'c',
    redirectUri: 'https://a.example/cb',
    redirectUriGiven: true,
    scopes: ['orders:read'],
    codeChallenge: 'x',
    state: null,
  };

  it('an interaction is live until completed (once) or expired; its CSRF token rotates; only hashes are kept', async () => {
    const { id, csrf } = await state.startInteraction(request);
    const live = (await state.interaction(id))!;
    expect(live.request).toEqual(request);
    expect(BrowserState.csrfMatches(live, csrf)).toBe(true);
    const next = await state.rotateCsrf(id);
    const rotated = (await state.interaction(id))!;
    expect([BrowserState.csrfMatches(rotated, csrf), BrowserState.csrfMatches(rotated, next)]).toEqual([false, true]);
    expect(BrowserState.csrfMatches(rotated, '')).toBe(false);
    expect(await state.completeInteraction(id)).toBe(true);
    expect(await state.completeInteraction(id)).toBe(false);
    expect(await state.interaction(id)).toBeNull();
    const other = await state.startInteraction(request);
    now += INTERACTION_LIFETIME_MS + 1;
    expect(await state.interaction(other.id)).toBeNull();
    const dump = JSON.stringify(await ds.query('SELECT * FROM authorization_interactions'));
    for (const secret of [id, csrf, next, other.id, other.csrf]) expect(dump).not.toContain(secret);
  });

  it('a session names its user until it expires', async () => {
    const cookie = await state.startSession('user-1', 'Chrome');
    expect(await state.sessionUser(cookie)).toBe('user-1');
    expect(await state.sessionUser('forged')).toBeNull();
    expect(await state.sessionUser(undefined)).toBeNull();
    now += SESSION_LIFETIME_MS + 1;
    expect(await state.sessionUser(cookie)).toBeNull();
    expect(JSON.stringify(await ds.query('SELECT * FROM login_sessions'))).not.toContain(cookie);
  });

  it('the pruner deletes what ended more than a day ago, and nothing live', async () => {
    const live = await state.startInteraction(request);
    const session = await state.startSession('user-2', undefined);
    // with the retention counted back from now: everything that ended before now goes
    expect(BROWSER_STATE_RETENTION_MS).toBe(86_400_000);
    const deleted = await pruneBrowserState(ds, new Date(now));
    expect(deleted).toBe(3); // the completed and the expired interaction, the expired session
    expect(await state.interaction(live.id)).not.toBeNull();
    expect(await state.sessionUser(session)).toBe('user-2');
  });
});

import { createEmptyDatabase, waitFor } from '@latchkey/testing';
import { loadTokenServiceConfig } from '../config/token-service.config';
import { runMigrations } from '../migrate';
import { TokenHarness } from '../testing/token-harness';
import { startTokenContext } from '../token.context';

describe('token-service reactions (real PostgreSQL + Kafka)', () => {
  const h = new TokenHarness();
  beforeAll(async () => {
    await h.startService();
  }, 120_000);
  afterAll(() => h.stopService());

  it('a fresh database replays the other services’ topics from the beginning (its consumer group is its own)', async () => {
    const userId = await h.user('human', { [crypto.randomUUID()]: ['orders:read'] });
    const db = await createEmptyDatabase();
    await runMigrations(db.url);
    const second = await startTokenContext(loadTokenServiceConfig({ DATABASE_URL: db.url }), {
      kafka: h.kafka,
      topics: { ...h.topics, usage: h.usageTopic },
    });
    try {
      await waitFor(async () => (await second.queries.user(userId)) !== null, {
        what: 'the second installation to learn the user',
      });
      const groups = (
        await Promise.all([h.ctx, second].map((c) => c.runtime.dataSource.query('SELECT id FROM installation')))
      ).map((r) => r[0].id);
      expect(groups[0]).not.toBe(groups[1]);
    } finally {
      await second.stop();
      await db.drop();
    }
  }, 60_000);
});

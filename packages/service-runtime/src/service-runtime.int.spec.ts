import { randomUUID } from 'node:crypto';
import { createServiceDataSource } from '@latchkey/eventstore';
import { EventProducer } from '@latchkey/messaging';
import {
  createEmptyDatabase,
  deleteTestTopics,
  readTopic,
  testKafka,
  uniqueTopic,
  type EmptyDatabase,
} from '@latchkey/testing';
import { EventFactory } from '@latchkey/token-verifier/testing';
import { runMigrations } from '@latchkey/eventstore';
import { ServiceRuntime } from './service-runtime';

describe('ServiceRuntime (real PostgreSQL + Kafka)', () => {
  const kafka = testKafka('runtime-test');
  const topics = {
    identity: uniqueTopic('identity'),
    tokens: uniqueTopic('tokens'),
    applications: uniqueTopic('applications'),
  };
  let db: EmptyDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    await runMigrations(createServiceDataSource({ url: db.url, applicationName: 'runtime-test' }));
  });
  afterAll(async () => {
    await deleteTestTopics(kafka);
    await db.drop();
  });

  const runtime = () =>
    new ServiceRuntime({
      service: 'identity-service',
      topic: topics.identity,
      dataSource: createServiceDataSource({ url: db.url, applicationName: 'runtime-test' }),
      kafka,
      verifierTopics: [topics.tokens, topics.identity, topics.applications],
    });

  it('creates the topics, publishes what a command appends, verifies tokens from the topics, and stops cleanly', async () => {
    const rt = runtime();
    await rt.start();
    try {
      const userId = randomUUID();
      await rt.store.append({
        stream: { type: 'user', id: userId },
        expectedVersion: 0,
        events: [{ type: 'UserRegistered', data: { userId, kind: 'api', displayName: 'Bot', accountIds: [userId] } }],
      });
      const seen = await readTopic(kafka, topics.identity, (all) =>
        all.some((m) => (m.value as { aggregateId: string }).aggregateId === userId),
      );
      expect(seen.length).toBeGreaterThan(0);

      const f = new EventFactory();
      const pat = f.pat(userId, { accountIds: [userId], scopes: ['orders:read'] });
      const producer = new EventProducer(kafka);
      await producer.connect();
      await producer.publish([{ topic: topics.tokens, envelope: pat.issued }]);
      await producer.disconnect();
      await rt.verifier.ready();
      await rt.verifier.catchUp();
      expect(rt.verifier.verify(pat.token)).toMatchObject({ active: true, tokenId: pat.tokenId, subjectKind: 'api' });
    } finally {
      await rt.stop();
    }
    expect(rt.dataSource.isInitialized).toBe(false);
  }, 60_000);

  it('an append while stopped stays in the outbox and leaves with the next start', async () => {
    const rt = runtime();
    await rt.dataSource.initialize();
    const userId = randomUUID();
    await rt.store.append({
      stream: { type: 'user', id: userId },
      expectedVersion: 0,
      events: [{ type: 'UserRegistered', data: { userId, kind: 'api', displayName: 'Late', accountIds: [userId] } }],
    });
    expect(Number((await rt.dataSource.query('SELECT count(*) AS n FROM outbox'))[0].n)).toBe(1);
    await rt.start();
    try {
      await readTopic(kafka, topics.identity, (all) =>
        all.some((m) => (m.value as { aggregateId: string }).aggregateId === userId),
      );
    } finally {
      await rt.stop();
    }
  }, 60_000);
});

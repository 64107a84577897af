import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import type { EventEnvelope } from '@latchkey/contracts';
import { eventStoreMigrations } from '../migrations';
import { PgEventStore } from '../store/pg-event-store';
import { TEST_SOURCE, TEST_TOPIC } from '../testing/fixtures';
import { sampleUserDecider, SampleUserError, type SampleUserState } from '../testing/sample-user-decider';
import { ConcurrencyError } from '../store/errors';
import { CommandRunner } from './command-runner';

describe('CommandRunner (real PostgreSQL)', () => {
  let db: TestDatabase;
  let runner: CommandRunner;

  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations, { poolSize: 20 });
    await db.dataSource.query(
      'CREATE TABLE user_status (user_id text PRIMARY KEY, status text NOT NULL, deactivations int NOT NULL)',
    );
    runner = new CommandRunner(new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC }));
  });
  afterAll(() => db.drop());

  const project = async (manager: EntityManager, _events: EventEnvelope[], state: SampleUserState) => {
    if (state.status === 'none') return;
    await manager.query(
      `INSERT INTO user_status (user_id, status, deactivations) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, deactivations = EXCLUDED.deactivations`,
      [state.userId, state.status, state.deactivations],
    );
  };
  const readModel = async (id: string) =>
    (await db.dataSource.query('SELECT status, deactivations FROM user_status WHERE user_id = $1', [id]))[0];
  const eventCount = async (id: string) =>
    Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [id]))[0].n);

  it('loads, decides, appends and updates the read model in one transaction', async () => {
    const id = randomUUID();
    const stream = { type: 'user', id };
    await runner.run(sampleUserDecider, { type: 'Register', userId: id, email: 'a@example.com' }, { stream, project });
    const result = await runner.run(sampleUserDecider, { type: 'Deactivate', reason: 'left' }, { stream, project });

    expect(result.version).toBe(2);
    expect(result.state).toEqual({ status: 'deactivated', userId: id, deactivations: 1 });
    expect(await readModel(id)).toEqual({ status: 'deactivated', deactivations: 1 });
  });

  it('given a domain error, then nothing is appended and the error reaches the caller', async () => {
    const id = randomUUID();
    await expect(
      runner.run(sampleUserDecider, { type: 'Deactivate', reason: 'x' }, { stream: { type: 'user', id }, project }),
    ).rejects.toEqual(new SampleUserError('USER_NOT_FOUND'));
    expect(await eventCount(id)).toBe(0);
  });

  it('given the read-model update fails, then the append is rolled back too', async () => {
    const id = randomUUID();
    const failing = async () => {
      throw new Error('projection broke');
    };
    await expect(
      runner.run(
        sampleUserDecider,
        { type: 'Register', userId: id, email: 'b@example.com' },
        { stream: { type: 'user', id }, project: failing },
      ),
    ).rejects.toThrow('projection broke');
    expect(await eventCount(id)).toBe(0);
    expect(await readModel(id)).toBeUndefined();
  });

  it('given concurrent commands on one aggregate, then conflicts are retried against fresh state and the outcome is consistent', async () => {
    const id = randomUUID();
    const stream = { type: 'user', id };
    await runner.run(sampleUserDecider, { type: 'Register', userId: id, email: 'c@example.com' }, { stream, project });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        runner.run(
          sampleUserDecider,
          { type: 'Deactivate', reason: 'race' },
          { stream, project, retriesOnConflict: 20 },
        ),
      ),
    );
    // Exactly one deactivation can happen; every other call sees the deactivated state and is refused by the decider.
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const errors = outcomes
      .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
      .map((o) => o.reason.code);
    expect(new Set(errors)).toEqual(new Set(['USER_ALREADY_DEACTIVATED']));
    expect(await eventCount(id)).toBe(2);
    expect(await readModel(id)).toEqual({ status: 'deactivated', deactivations: 1 });
  });
});

describe('CommandRunner newStream (real PostgreSQL)', () => {
  let db: TestDatabase;
  let runner: CommandRunner;
  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations);
    runner = new CommandRunner(new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC }));
  });
  afterAll(() => db.drop());

  it('decides on the initial state without loading, and a stream that exists after all is refused', async () => {
    const id = randomUUID();
    const stream = { type: 'user', id };
    await expect(
      runner.run(
        sampleUserDecider,
        { type: 'Register', userId: id, email: 'n@example.com' },
        { stream, newStream: true },
      ),
    ).resolves.toMatchObject({ version: 1 });
    await expect(
      runner.run(
        sampleUserDecider,
        { type: 'Register', userId: id, email: 'n@example.com' },
        { stream, newStream: true, retriesOnConflict: 0 },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(
      Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [id]))[0].n),
    ).toBe(1);
  });
});

import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import type { EventEnvelope } from '@latchkey/contracts';
import { eventStoreMigrations } from '../migrations';
import { PgEventStore } from '../store/pg-event-store';
import { TEST_SOURCE, TEST_TOPIC } from '../testing/fixtures';
import { sampleUserDecider, SampleUserError, type SampleUserState } from '../testing/sample-user-decider';
import { ConcurrencyError } from '../store/errors';
import type { DomainEvent } from '../store/types';
import { CommandRunner } from './command-runner';
import type { Decider } from './decider';

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

  it('given concurrent commands on one aggregate, then they queue on the stream lock and each decides on fresh state', async () => {
    const id = randomUUID();
    const stream = { type: 'user', id };
    await runner.run(sampleUserDecider, { type: 'Register', userId: id, email: 'c@example.com' }, { stream, project });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        runner.run(sampleUserDecider, { type: 'Deactivate', reason: 'race' }, { stream, project }),
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

/** A decider whose every command succeeds: one MembershipChanged per command, counted. */
const grants: Decider<{ type: 'Grant'; userId: string; n: number }, { count: number }, DomainEvent> = {
  initialState: { count: 0 },
  decide: (command) => [
    {
      type: 'MembershipChanged',
      data: {
        userId: command.userId,
        accountId: 'acct-1',
        roles: ['member'],
        permissions: [`records${command.n}:read`],
      },
    },
  ],
  evolve: (state) => ({ count: state.count + 1 }),
};

describe('CommandRunner stream lock (real PostgreSQL)', () => {
  let db: TestDatabase;
  let runner: CommandRunner;
  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations, { poolSize: 40 });
    runner = new CommandRunner(new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC }));
  });
  afterAll(() => db.drop());

  const advisoryLocks = (manager: EntityManager) =>
    manager.query(
      `SELECT classid::int AS classid, objid::int AS objid, objsubid FROM pg_locks
        WHERE locktype = 'advisory' AND pid = pg_backend_pid() ORDER BY objid`,
    ) as Promise<Array<{ classid: number; objid: number; objsubid: number }>>;

  it('given 32 concurrent commands on one stream, then all of them succeed, one after the other, with gap-free versions', async () => {
    const id = randomUUID();
    const stream = { type: 'user', id };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 32 }, (_, n) => runner.run(grants, { type: 'Grant', userId: id, n }, { stream })),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const results = outcomes.map(
      (o) => (o as PromiseFulfilledResult<{ version: number; state: { count: number } }>).value,
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    results.forEach((r) => expect(r.state.count).toBe(r.version)); // each decided on the state just before it
    const versions = (
      (await db.dataSource.query('SELECT version FROM events WHERE stream_id = $1 ORDER BY version', [id])) as Array<{
        version: number;
      }>
    ).map((r) => r.version);
    expect(versions).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it('holds a transaction-scoped lock keyed (hashtext(type), hashtext(id)) until the end of the transaction, and none for a new stream', async () => {
    const id = randomUUID();
    const fresh = randomUUID();
    const [{ classid, objid }] = (await db.dataSource.query('SELECT hashtext($1) AS classid, hashtext($2) AS objid', [
      'user',
      id,
    ])) as Array<{ classid: number; objid: number }>;
    await db.dataSource.transaction(async (manager) => {
      await runner.runIn(
        manager,
        grants,
        { type: 'Grant', userId: fresh, n: 0 },
        { stream: { type: 'user', id: fresh }, newStream: true },
      );
      expect(await advisoryLocks(manager)).toEqual([]);
      await runner.runIn(manager, grants, { type: 'Grant', userId: id, n: 1 }, { stream: { type: 'user', id } });
      expect(await advisoryLocks(manager)).toEqual([{ classid, objid, objsubid: 2 }]); // the two-int form
    });
    const after = await db.dataSource.transaction((manager) => advisoryLocks(manager));
    expect(after).toEqual([]);
  });

  it('refuses to run a command outside a transaction (its lock would be released at once)', async () => {
    const id = randomUUID();
    await expect(
      runner.runIn(
        db.dataSource.manager,
        grants,
        { type: 'Grant', userId: id, n: 0 },
        { stream: { type: 'user', id } },
      ),
    ).rejects.toThrow(/must run inside a transaction/);
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
        { stream, newStream: true },
      ),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(
      Number((await db.dataSource.query('SELECT count(*) AS n FROM events WHERE stream_id = $1', [id]))[0].n),
    ).toBe(1);
  });
});

import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@latchkey/testing';
import { eventStoreMigrations } from '../migrations';
import { PgEventStore } from '../store/pg-event-store';
import { TEST_SOURCE, TEST_TOPIC } from '../testing/fixtures';
import { sampleUserDecider, type SampleUserCommand } from '../testing/sample-user-decider';
import { CommandRunner } from './command-runner';

describe('CommandRunner with snapshots (real PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PgEventStore;
  let runner: CommandRunner;
  const policy = { name: 'sample-user@1', every: 3 };

  beforeAll(async () => {
    db = await createTestDatabase(eventStoreMigrations, { poolSize: 20 });
    store = new PgEventStore(db.dataSource, { source: TEST_SOURCE, topic: TEST_TOPIC });
    runner = new CommandRunner(store);
  });
  afterAll(() => db.drop());

  const snapshotOf = async (id: string, name = policy.name) =>
    (await db.dataSource.query('SELECT version, state FROM stream_snapshots WHERE stream_id = $1 AND name = $2', [
      id,
      name,
    ])) as Array<{ version: number; state: unknown }>;
  const toggles = (n: number): SampleUserCommand[] =>
    Array.from({ length: n }, (_, i) => (i % 2 === 0 ? { type: 'Deactivate', reason: 'r' } : { type: 'Reactivate' }));

  async function registered(): Promise<{ id: string; stream: { type: string; id: string } }> {
    const id = randomUUID();
    const stream = { type: 'user', id };
    await runner.run(sampleUserDecider, { type: 'Register', userId: id, email: 'a@example.com' }, { stream });
    return { id, stream };
  }

  it('writes a snapshot every `every` events, in the transaction of the append, with the folded state', async () => {
    const { id, stream } = await registered(); // version 1, written without the policy: no snapshot
    expect(await snapshotOf(id)).toEqual([]);
    const versions: Array<number | undefined> = [];
    for (const command of toggles(6)) {
      await runner.run(sampleUserDecider, command, { stream, snapshot: policy });
      versions.push((await snapshotOf(id))[0]?.version);
    }
    // v2: 2 events since none → no; v3: 3 → yes; v4, v5: 1, 2 since v3; v6: 3 → yes; v7: 1 since v6
    expect(versions).toEqual([undefined, 3, 3, 3, 6, 6]);
    expect((await snapshotOf(id))[0].state).toEqual({ status: 'deactivated', userId: id, deactivations: 3 }); // at v6
  });

  it('folds from the snapshot and the events after it, not from the first event', async () => {
    const { id, stream } = await registered();
    for (const command of toggles(3)) await runner.run(sampleUserDecider, command, { stream, snapshot: policy });
    const [snap] = await snapshotOf(id);
    expect(snap.version).toBe(3);
    // a state the events cannot produce: seen only if the runner starts from the snapshot
    await db.dataSource.query(
      `UPDATE stream_snapshots SET state = jsonb_set(state, '{deactivations}', '40') WHERE stream_id = $1`,
      [id],
    );
    const result = await runner.run(sampleUserDecider, { type: 'Reactivate' }, { stream, snapshot: policy });
    expect(result.state).toEqual({ status: 'active', userId: id, deactivations: 41 });
    expect(result.version).toBe(5);
    // without the policy the same stream folds from its first event
    const plain = await runner.run(sampleUserDecider, { type: 'Deactivate', reason: 'r' }, { stream });
    expect(plain.state).toEqual({ status: 'deactivated', userId: id, deactivations: 3 });
  });

  it('ignores a snapshot under another name, and deleting every snapshot changes no decision', async () => {
    const { id, stream } = await registered();
    for (const command of toggles(5)) await runner.run(sampleUserDecider, command, { stream, snapshot: policy });
    await db.dataSource.query(`UPDATE stream_snapshots SET state = '{"status":"none"}' WHERE stream_id = $1`, [id]);
    const renamed = { name: 'sample-user@2', every: 3 };
    const result = await runner.run(sampleUserDecider, { type: 'Reactivate' }, { stream, snapshot: renamed });
    expect(result.state).toEqual({ status: 'active', userId: id, deactivations: 3 });
    expect((await snapshotOf(id, renamed.name))[0].version).toBe(7);

    await db.dataSource.query('DELETE FROM stream_snapshots WHERE stream_id = $1', [id]);
    const after = await runner.run(
      sampleUserDecider,
      { type: 'Deactivate', reason: 'r' },
      { stream, snapshot: policy },
    );
    expect(after).toMatchObject({ version: 8, state: { status: 'deactivated', deactivations: 4 } });
  });

  it('given a snapshot at the stream head, the next append expects that version (no event loaded after it)', async () => {
    const { id, stream } = await registered();
    for (const command of toggles(3)) await runner.run(sampleUserDecider, command, { stream, snapshot: policy });
    expect((await snapshotOf(id))[0].version).toBe(3); // the stream is at v4
    await runner.run(sampleUserDecider, { type: 'Reactivate' }, { stream, snapshot: { ...policy, every: 1 } });
    expect((await snapshotOf(id))[0].version).toBe(5);
    const loaded = await store.loadFromSnapshot(id, policy.name);
    expect(loaded.snapshot?.version).toBe(5);
    expect(loaded.events).toEqual([]);
    const next = await runner.run(sampleUserDecider, { type: 'Deactivate', reason: 'r' }, { stream, snapshot: policy });
    expect(next.version).toBe(6);
  });

  it('given concurrent commands on one stream, then they queue and every snapshot matches the events up to its version', async () => {
    const { id, stream } = await registered();
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, () =>
        runner.run(
          sampleUserDecider,
          { type: 'Deactivate', reason: 'r' },
          { stream, snapshot: { ...policy, every: 1 } },
        ),
      ),
    );
    // only the first Deactivate can succeed: every later one sees a deactivated user
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const command of toggles(9).slice(1))
      await runner.run(sampleUserDecider, command, { stream, snapshot: policy });
    const [snap] = await snapshotOf(id);
    const events = await store.load(id);
    const folded = events
      .filter((e) => e.aggregateVersion <= snap.version)
      .reduce((s, e) => sampleUserDecider.evolve(s, { type: e.type, data: e.data }), sampleUserDecider.initialState);
    expect(snap.state).toEqual(folded);
    expect(events.map((e) => e.aggregateVersion)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  });

  it('refuses a policy it cannot honour', async () => {
    const { stream } = await registered();
    for (const bad of [
      { name: 'x', every: 0 },
      { name: 'x', every: 1.5 },
      { name: '', every: 3 },
      { name: "x'; DROP TABLE events; --", every: 3 },
    ])
      await expect(
        runner.run(sampleUserDecider, { type: 'Deactivate', reason: 'r' }, { stream, snapshot: bad }),
      ).rejects.toBeInstanceOf(RangeError);
  });
});

import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { dlqTopic, type EventEnvelope, type LatchkeyEvent } from '@latchkey/contracts';
import { readTopic, testKafka, uniqueGroup, uniqueTopic, waitFor, deleteTestTopics } from '@latchkey/testing';
import { ensureTopics } from '../admin/topics';
import { EventProducer } from '../producer/event-producer';
import type { BlockedInfo, UnblockedInfo } from './blocked-partitions';
import { EventConsumer, type EventConsumerOptions } from './event-consumer';
import { InMemoryIdempotencyStore } from './idempotency-store';
import { UnprocessableEventError } from './unprocessable-event.error';

function accountCreated(n: number, aggregateId = randomUUID()): EventEnvelope {
  return {
    id: randomUUID(),
    type: 'AccountCreated',
    schemaVersion: 1,
    source: 'messaging-test',
    aggregateType: 'account',
    aggregateId,
    aggregateVersion: 1,
    occurredAt: new Date().toISOString(),
    data: { accountId: aggregateId, name: `Account ${n}`, kind: 'standard' },
  };
}

describe('EventConsumer (real Kafka)', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  let raw: ReturnType<Kafka['producer']>;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    kafka = testKafka('consumer-test');
    producer = new EventProducer(kafka);
    raw = kafka.producer();
    await Promise.all([producer.connect(), raw.connect()]);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await Promise.all([producer.disconnect(), raw.disconnect()]);
    await deleteTestTopics(kafka);
  });

  async function consume(topic: string, options: Partial<EventConsumerOptions> = {}) {
    const handled: LatchkeyEvent[] = [];
    const deadLetters: string[] = [];
    const consumer = new EventConsumer(kafka, {
      groupId: uniqueGroup('consumer'),
      topics: [topic],
      idempotency: new InMemoryIdempotencyStore(),
      handler: async (e) => void handled.push(e),
      onDeadLetter: (d) => deadLetters.push(d.reason),
      retry: { initialDelayMs: 10, maxDelayMs: 50 },
      ...options,
    });
    consumers.push(consumer);
    await consumer.start();
    return { handled, deadLetters };
  }

  /** Messages on `<topic>.dlq` so far (its high-water marks), without waiting for any. */
  async function dlqSize(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(dlqTopic(topic));
      return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** The group's committed offset of a partition ('-1' when it committed none). */
  async function committedOffset(groupId: string, topic: string, partition: number): Promise<string> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return entry.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    } finally {
      await admin.disconnect();
    }
  }

  /** A handler that fails while `failing(event, attempt)` says so, recording every call in order. */
  function flakyHandler(failing: (event: LatchkeyEvent, attempt: number) => boolean) {
    const calls: string[] = [];
    const applied: string[] = [];
    const attempts = new Map<string, number>();
    const handler = async (e: LatchkeyEvent) => {
      const n = (attempts.get(e.id) ?? 0) + 1;
      attempts.set(e.id, n);
      calls.push(e.id);
      if (failing(e, n)) throw new Error(`database unreachable (attempt ${n})`);
      applied.push(e.id);
    };
    return { handler, calls, applied, attempts };
  }

  function reports() {
    const blocked: BlockedInfo[] = [];
    const unblocked: UnblockedInfo[] = [];
    const retries: number[] = [];
    return {
      blocked,
      unblocked,
      retries,
      options: {
        onBlocked: (i: BlockedInfo) => void blocked.push(i),
        onUnblocked: (i: UnblockedInfo) => void unblocked.push(i),
        onRetry: (i: { attempt: number }) => void retries.push(i.attempt),
      },
    };
  }

  it('blocks the partition on a failing handler and applies the event exactly once when it succeeds, nothing to the DLQ', async () => {
    const topic = uniqueTopic('block');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const stuck = accountCreated(1);
    const later = accountCreated(2);
    await producer.publish([stuck, later].map((envelope) => ({ topic, envelope })));
    const flaky = flakyHandler((e, n) => e.id === stuck.id && n <= 4);
    const seen = reports();
    const { deadLetters } = await consume(topic, { handler: flaky.handler, ...seen.options });

    await waitFor(() => flaky.applied.length === 2, { what: 'both events applied' });
    expect(flaky.applied).toEqual([stuck.id, later.id]);
    // the later message of the partition waited for the stuck one: never called before its success
    expect(flaky.calls).toEqual([stuck.id, stuck.id, stuck.id, stuck.id, stuck.id, later.id]);
    expect(seen.retries).toEqual([1, 2, 3, 4]);
    expect(seen.blocked).toEqual([
      {
        topic,
        partition: 0,
        offset: '0',
        reason: 'handler-failing',
        eventId: stuck.id,
        type: 'AccountCreated',
        attempt: 1,
        error: 'Error: database unreachable (attempt 1)',
      },
    ]);
    expect(seen.unblocked).toEqual([{ topic, partition: 0, offset: '0' }]);
    expect(deadLetters).toEqual([]);
    expect(await dlqSize(topic)).toBe(0);
  });

  it('keeps retrying a handler that fails for longer than the old five attempts, reports it in blocked(), and applies it once it succeeds', async () => {
    const topic = uniqueTopic('long-block');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const stuck = accountCreated(1);
    await producer.publish([{ topic, envelope: stuck }]);
    let failUntil = Number.POSITIVE_INFINITY;
    const flaky = flakyHandler((_e, n) => {
      if (n === 1) failUntil = Date.now() + 2_500; // the old policy gave up after ~1.5 s
      return Date.now() < failUntil;
    });
    const seen = reports();
    const consumer = new EventConsumer(kafka, {
      groupId: uniqueGroup('long-block'),
      topics: [topic],
      idempotency: new InMemoryIdempotencyStore(),
      handler: flaky.handler,
      retry: { initialDelayMs: 50, maxDelayMs: 400 },
      // a resumed partition is fetched again when the fetch in flight returns: keep that below the
      // back-off so the attempts counted are the retry policy's, not the fetch interval's
      maxWaitTimeInMs: 100,
      blockedReportEvery: 3,
      ...seen.options,
    });
    consumers.push(consumer);
    await consumer.start();

    const [entry] = await waitFor(() => (consumer.blocked().length > 0 ? consumer.blocked() : null), {
      what: 'the blocked partition',
    });
    expect(entry).toEqual({
      topic,
      partition: 0,
      offset: '0',
      reason: 'handler-failing',
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      attempts: expect.any(Number),
    });
    await waitFor(() => flaky.applied.length === 1, { what: 'the event, once the handler recovers' });
    await new Promise((r) => setTimeout(r, 300));
    expect(flaky.applied).toEqual([stuck.id]);
    const attempts = flaky.attempts.get(stuck.id)!;
    expect(attempts).toBeGreaterThan(5);
    // first failure, then every 3rd attempt while it stayed blocked
    expect(seen.blocked.map((b) => b.attempt)).toEqual(
      Array.from({ length: attempts - 1 }, (_, i) => i + 1).filter((a) => a === 1 || a % 3 === 0),
    );
    expect(seen.unblocked).toEqual([{ topic, partition: 0, offset: '0' }]);
    expect(consumer.blocked()).toEqual([]);
    expect(await dlqSize(topic)).toBe(0);
  });

  it('returns promptly from stop() while a message is blocked, leaves it uncommitted, and handles it after a restart with the same group', async () => {
    const topic = uniqueTopic('block-stop');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const groupId = uniqueGroup('block-stop');
    const first = accountCreated(1);
    const stuck = accountCreated(2);
    const later = accountCreated(3);
    await producer.publish([first, stuck, later].map((envelope) => ({ topic, envelope })));

    const failing = flakyHandler((e) => e.id === stuck.id);
    const seen = reports();
    const before = new EventConsumer(kafka, {
      groupId,
      topics: [topic],
      idempotency: new InMemoryIdempotencyStore(),
      handler: failing.handler,
      retry: { initialDelayMs: 120_000, maxDelayMs: 120_000 }, // a stop() that waited for it would time the test out
      ...seen.options,
    });
    consumers.push(before);
    await before.start();
    await waitFor(() => seen.blocked.length === 1, { what: 'the partition to block' });
    await before.stop();
    expect(failing.applied).toEqual([first.id]);
    expect(await committedOffset(groupId, topic, 0)).toBe('1'); // the stuck message (offset 1) is next

    const recovered = flakyHandler(() => false);
    const after = new EventConsumer(kafka, {
      groupId,
      topics: [topic],
      idempotency: new InMemoryIdempotencyStore(),
      handler: recovered.handler,
    });
    consumers.push(after);
    await after.start();
    await waitFor(() => recovered.applied.length === 2, { what: 'the stuck and the later event after the restart' });
    expect(recovered.applied).toEqual([stuck.id, later.id]);
  }, 30_000);

  it('blocks a partition on an event of a newer schemaVersion (neither skipped nor dead-lettered) while the other partitions go on', async () => {
    const topic = uniqueTopic('future');
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    const future = { ...accountCreated(1), schemaVersion: 2, data: { accountId: 'x', shape: 'from a newer release' } };
    const behind = accountCreated(2);
    const elsewhere = accountCreated(3);
    await raw.send({
      topic,
      messages: [
        { key: 'a', partition: 0, value: JSON.stringify(future) },
        { key: 'a', partition: 0, value: JSON.stringify(behind) },
        { key: 'b', partition: 1, value: JSON.stringify(elsewhere) },
      ],
    });
    const seen = reports();
    const groupId = uniqueGroup('future');
    const { handled, deadLetters } = await consume(topic, { groupId, blockedReportEvery: 3, ...seen.options });

    await waitFor(() => handled.some((e) => e.id === elsewhere.id), { what: 'the event on the other partition' });
    await waitFor(() => seen.blocked.length >= 2, { what: 'the block reported again while it is retried' });
    expect(seen.blocked.map((b) => b.attempt).slice(0, 2)).toEqual([1, 3]);
    expect(seen.blocked[0]).toEqual({
      topic,
      partition: 0,
      offset: '0',
      reason: 'unsupported-version',
      eventId: future.id,
      type: 'AccountCreated',
      attempt: 1,
      error: 'schemaVersion: AccountCreated v2 is newer than this consumer knows (latest v1)',
    });
    expect(consumers[consumers.length - 1].blocked()).toMatchObject([
      { topic, partition: 0, offset: '0', reason: 'unsupported-version' },
    ]);
    expect(handled.map((e) => e.id)).toEqual([elsewhere.id]); // not the one behind it
    expect(deadLetters).toEqual([]);
    expect(await dlqSize(topic)).toBe(0);
    expect(await committedOffset(groupId, topic, 0)).toMatch(/^(-1|0)$/); // not skipped
  });

  it('skips an event of a newer schemaVersion whose type the consumer does not read', async () => {
    const topic = uniqueTopic('future-skip');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const future = { ...accountCreated(1), schemaVersion: 2 };
    const wanted = {
      ...accountCreated(2),
      type: 'UserReactivated',
      aggregateType: 'user',
      data: { userId: 'u-1' },
      aggregateId: 'u-1',
    };
    await raw.send({
      topic,
      messages: [
        { key: 'a', value: JSON.stringify(future) },
        { key: 'a', value: JSON.stringify(wanted) },
      ],
    });
    const { handled, deadLetters } = await consume(topic, { types: ['UserReactivated'] });
    await waitFor(() => handled.length === 1, { what: 'the event after the skipped one' });
    expect(handled[0].id).toBe(wanted.id);
    expect(deadLetters).toEqual([]);
  });

  it('sends a message whose handler throws UnprocessableEventError to the DLQ and goes on', async () => {
    const topic = uniqueTopic('unprocessable');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const invalid = accountCreated(1);
    const next = accountCreated(2);
    await producer.publish([invalid, next].map((envelope) => ({ topic, envelope })));
    const applied: string[] = [];
    const { deadLetters } = await consume(topic, {
      handler: async (e) => {
        if (e.id === invalid.id) throw new UnprocessableEventError('refers to an account that can never exist');
        applied.push(e.id);
      },
    });
    await waitFor(() => applied.length === 1, { what: 'the next event' });
    expect(applied).toEqual([next.id]);
    expect(deadLetters).toEqual(['unprocessable']);
    const [letter] = await readTopic(kafka, dlqTopic(topic), (all) => all.length >= 1);
    expect(letter.message.headers?.['x-dlq-reason']?.toString()).toBe('unprocessable');
    expect((letter.value as { id: string }).id).toBe(invalid.id);
  });

  it('sends a message that fails schema validation to the DLQ and goes on with the next one', async () => {
    const topic = uniqueTopic('dlq');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const bad = { ...accountCreated(1), data: { accountId: 'a', kind: 'galaxy' } }; // no name, unknown kind
    const good = accountCreated(2);
    await raw.send({
      topic,
      messages: [
        { key: 'k', value: JSON.stringify(bad) },
        { key: 'k', value: 'not json' },
        { key: 'k', value: JSON.stringify(good) },
      ],
    });
    const { handled, deadLetters } = await consume(topic);

    await waitFor(() => handled.length === 1, { what: 'the valid event' });
    expect(handled[0].id).toBe(good.id);
    await waitFor(() => deadLetters.length === 2, { what: 'two dead letters' });
    expect(deadLetters).toEqual(['schema-invalid', 'unparseable']);
    const dlq = await readTopic(kafka, dlqTopic(topic), (all) => all.length >= 2);
    expect(dlq.map((m) => m.message.headers?.['x-dlq-reason']?.toString())).toEqual(['schema-invalid', 'unparseable']);
    expect((dlq[0].value as { id: string }).id).toBe(bad.id); // the original message, unchanged
    expect(dlq[0].message.headers?.['x-original-topic']?.toString()).toBe(topic);
    expect(JSON.parse(dlq[0].message.headers!['x-dlq-errors']!.toString()).join(' ')).toMatch(/name|kind/);
  });

  it('handles an event delivered twice only once', async () => {
    const topic = uniqueTopic('dupe');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const e = accountCreated(1);
    await producer.publish([
      { topic, envelope: e },
      { topic, envelope: e },
      { topic, envelope: accountCreated(2) },
    ]);
    const { handled } = await consume(topic);
    await waitFor(() => handled.length === 2, { what: 'two distinct events' });
    await new Promise((r) => setTimeout(r, 300));
    expect(handled.map((h) => h.id).filter((id) => id === e.id)).toHaveLength(1);
  });

  it('refuses to publish an event that breaks its schema', async () => {
    const topic = uniqueTopic('refuse');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    await expect(producer.publish([{ topic, envelope: { ...accountCreated(1), data: {} } }])).rejects.toMatchObject({
      code: 'EVENT_SCHEMA_INVALID',
    });
  });

  it('sets the envelope headers and keys messages by aggregate id', async () => {
    const topic = uniqueTopic('headers');
    await ensureTopics(kafka, [{ topic }]);
    const e = accountCreated(1);
    await producer.publish([{ topic, envelope: e }]);
    const [m] = await readTopic(kafka, topic, (all) => all.length >= 1);
    expect(m.message.key?.toString()).toBe(e.aggregateId);
    expect(m.message.headers?.type?.toString()).toBe('AccountCreated');
    expect(m.message.headers?.id?.toString()).toBe(e.id);
    expect(m.message.headers?.schemaVersion?.toString()).toBe('1');
  });
});

import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { dlqTopic, type EventEnvelope, type LatchkeyEvent } from '@latchkey/contracts';
import { readTopic, testKafka, uniqueGroup, uniqueTopic, waitFor, deleteTestTopics } from '@latchkey/testing';
import { ensureTopics } from '../admin/topics';
import { EventProducer } from '../producer/event-producer';
import { EventConsumer, type EventConsumerOptions } from './event-consumer';
import { InMemoryIdempotencyStore } from './idempotency-store';

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
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      ...options,
    });
    consumers.push(consumer);
    await consumer.start();
    return { handled, deadLetters };
  }

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

  it('retries a failing handler with back-off, then dead-letters it and goes on', async () => {
    const topic = uniqueTopic('retry');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const flaky = accountCreated(1);
    const poison = accountCreated(2);
    const after = accountCreated(3);
    await producer.publish([flaky, poison, after].map((envelope) => ({ topic, envelope })));
    const attempts = new Map<string, number>();
    const { handled, deadLetters } = await consume(topic, {
      handler: async (e) => {
        const n = (attempts.get(e.id) ?? 0) + 1;
        attempts.set(e.id, n);
        if (e.id === poison.id) throw new Error('always fails');
        if (e.id === flaky.id && n < 2) throw new Error('fails once');
        handled.push(e);
      },
    });
    await waitFor(() => handled.length === 2, { what: 'flaky and after' });
    expect(handled.map((e) => e.id)).toEqual([flaky.id, after.id]);
    expect(attempts.get(flaky.id)).toBe(2);
    expect(attempts.get(poison.id)).toBe(3);
    expect(deadLetters).toEqual(['handler-failed']);
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

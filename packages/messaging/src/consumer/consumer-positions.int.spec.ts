import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EventEnvelope } from '@latchkey/contracts';
import { deleteTestTopics, testKafka, uniqueGroup, uniqueTopic } from '@latchkey/testing';
import { ensureTopics } from '../admin/topics';
import { EventProducer } from '../producer/event-producer';
import { ConsumerPositions } from './consumer-positions';
import { EventConsumer } from './event-consumer';
import { InMemoryIdempotencyStore } from './idempotency-store';

function accountCreated(): EventEnvelope {
  const id = randomUUID();
  return {
    id: randomUUID(),
    type: 'AccountCreated',
    schemaVersion: 1,
    source: 'messaging-test',
    aggregateType: 'account',
    aggregateId: id,
    aggregateVersion: 1,
    occurredAt: new Date().toISOString(),
    data: { accountId: id, name: 'Account', kind: 'standard' },
  };
}

describe('ConsumerPositions: wait until a consumer has what was published before now (real Kafka)', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  const topic = uniqueTopic('positions');
  let consumer: EventConsumer;
  let gate: Promise<void> = Promise.resolve();
  const handled: string[] = [];

  beforeAll(async () => {
    kafka = testKafka('positions-test');
    await ensureTopics(kafka, [{ topic, withDlq: false }]);
    producer = new EventProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await consumer?.stop();
    await producer.disconnect();
    await deleteTestTopics(kafka);
  });

  it('catchUp resolves true once everything published before it was processed, and false (bounded) while the consumer is held up', async () => {
    const positions = new ConsumerPositions(kafka);
    consumer = new EventConsumer(kafka, {
      groupId: uniqueGroup('positions'),
      topics: [topic],
      idempotency: new InMemoryIdempotencyStore(),
      handler: async (e) => {
        await gate;
        handled.push(e.id);
      },
      onProcessed: ({ topic: t, partition, offset }) => positions.processed(t, partition, offset),
    });
    await consumer.start();
    const first = Array.from({ length: 20 }, accountCreated);
    await producer.publish(first.map((envelope) => ({ topic, envelope })));
    expect(await positions.catchUp([topic], { timeoutMs: 10_000 })).toBe(true);
    expect(handled).toEqual(expect.arrayContaining(first.map((e) => e.id)));

    let release!: () => void;
    gate = new Promise((r) => (release = r));
    await producer.publish([{ topic, envelope: accountCreated() }]);
    const started = Date.now();
    expect(await positions.catchUp([topic], { timeoutMs: 300 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    release();
    expect(await positions.catchUp([topic], { timeoutMs: 10_000 })).toBe(true);
  }, 60_000);
});

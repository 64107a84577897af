import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { dlqTopic, type EventEnvelope } from '@latchkey/contracts';
import { deleteTestTopics, readTopic, testKafka, uniqueGroup, uniqueTopic, waitFor } from '@latchkey/testing';
import { ensureTopics } from '../admin/topics';
import { EventConsumer } from '../consumer/event-consumer';
import { InMemoryIdempotencyStore } from '../consumer/idempotency-store';
import { UnprocessableEventError } from '../consumer/unprocessable-event.error';
import { EventProducer } from '../producer/event-producer';
import { replayDeadLetters } from './replay-dead-letters';

function accountCreated(n: number): EventEnvelope {
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
    data: { accountId: id, name: `Account ${n}`, kind: 'standard' },
  };
}

describe('replayDeadLetters (real Kafka)', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  let raw: ReturnType<Kafka['producer']>;

  beforeAll(async () => {
    kafka = testKafka('dlq-replay-test');
    producer = new EventProducer(kafka);
    raw = kafka.producer();
    await Promise.all([producer.connect(), raw.connect()]);
  });
  afterAll(async () => {
    await Promise.all([producer.disconnect(), raw.disconnect()]);
    await deleteTestTopics(kafka);
  });

  /** Lets a real consumer dead-letter an invalid message and an event its handler calls unprocessable. */
  async function deadLettered(topic: string) {
    const rejected = accountCreated(1);
    await raw.send({ topic, messages: [{ key: 'garbage-key', value: 'not json' }] });
    await producer.publish([{ topic, envelope: rejected }]);
    const letters: string[] = [];
    const consumer = new EventConsumer(kafka, {
      groupId: uniqueGroup('dlq-source'),
      topics: [topic],
      idempotency: new InMemoryIdempotencyStore(),
      handler: async () => {
        throw new UnprocessableEventError('refused by the handler');
      },
      onDeadLetter: (d) => letters.push(d.reason),
    });
    await consumer.start();
    try {
      await waitFor(() => letters.length === 2, { what: 'two dead letters' });
    } finally {
      await consumer.stop();
    }
    return rejected;
  }

  it('lists the dead letters on a dry run (no value, nothing republished, nothing committed), then replays each to its original topic exactly once', async () => {
    const topic = uniqueTopic('replay');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const rejected = await deadLettered(topic);
    const groupId = uniqueGroup('replayer');

    const dry = await replayDeadLetters(kafka, { topic, dryRun: true, groupId });
    expect(dry.dryRun).toBe(true);
    expect(dry.replayed).toEqual({});
    expect(dry.letters).toEqual([
      { partition: 0, offset: '0', reason: 'unparseable', type: null, eventId: null, target: topic },
      {
        partition: 0,
        offset: '1',
        reason: 'unprocessable',
        type: 'AccountCreated',
        eventId: rejected.id,
        target: topic,
      },
    ]);
    expect(JSON.stringify(dry)).not.toContain('Account 1'); // never the value

    const replay = await replayDeadLetters(kafka, { topic, groupId });
    expect(replay.replayed).toEqual({ [topic]: 2 });
    expect(replay.letters.map((l) => l.offset)).toEqual(['0', '1']);

    const again = await replayDeadLetters(kafka, { topic, groupId });
    expect(again.letters).toEqual([]);
    expect(again.replayed).toEqual({});

    // the topic now holds the two originals and one copy of each, with their keys and envelope headers
    const onTopic = await readTopic(kafka, topic, (all) => all.length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    const copies = onTopic.slice(2);
    expect(onTopic).toHaveLength(4);
    expect(copies.map((m) => m.message.key?.toString())).toEqual(['garbage-key', rejected.aggregateId]);
    expect(copies[0].message.value?.toString()).toBe('not json');
    expect((copies[1].value as { id: string }).id).toBe(rejected.id);
    const headers = copies[1].message.headers ?? {};
    expect(Object.keys(headers).filter((h) => h.startsWith('x-dlq-'))).toEqual([]);
    expect(headers.type?.toString()).toBe('AccountCreated');
    expect(headers.id?.toString()).toBe(rejected.id);
  });

  it('replays only the letters present when it starts; a later run takes the ones that came since', async () => {
    const topic = uniqueTopic('replay-later');
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    const groupId = uniqueGroup('replayer');
    const letter = (n: number) => ({
      key: `k${n}`,
      value: JSON.stringify(accountCreated(n)),
      headers: { 'x-dlq-reason': 'unprocessable', 'x-original-topic': topic },
    });
    await raw.send({ topic: dlqTopic(topic), messages: [letter(1), letter(2), letter(3)] });
    expect(Object.values((await replayDeadLetters(kafka, { topic, groupId })).replayed)).toEqual([3]);

    await raw.send({ topic: dlqTopic(topic), messages: [letter(4)] });
    const second = await replayDeadLetters(kafka, { topic, groupId });
    expect(second.replayed).toEqual({ [topic]: 1 });
    const onTopic = await readTopic(kafka, topic, (all) => all.length >= 4);
    expect(onTopic.map((m) => m.message.key?.toString()).sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
  });

  it('refuses a topic that has no DLQ', async () => {
    await expect(replayDeadLetters(kafka, { topic: `test.nothing.${randomUUID()}` })).rejects.toThrow(
      /there is no topic .*\.dlq/,
    );
  });
});

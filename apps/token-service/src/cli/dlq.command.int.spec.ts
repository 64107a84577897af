import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { dlqTopic } from '@latchkey/contracts';
import { ensureTopics } from '@latchkey/messaging';
import { deleteTestTopics, readTopic, testKafka, uniqueTopic } from '@latchkey/testing';
import { runCli, USAGE, type CliIo } from './latchkey';

/** `latchkey dlq replay` with only KAFKA_BROKERS in the environment: a database that does not exist is never touched. */
describe('latchkey dlq replay (real Kafka, no database)', () => {
  let kafka: Kafka;
  let raw: ReturnType<Kafka['producer']>;
  const env = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/no_such_database',
  };

  beforeAll(async () => {
    kafka = testKafka('dlq-cli-test');
    raw = kafka.producer();
    await raw.connect();
  });
  afterAll(async () => {
    await raw.disconnect();
    await deleteTestTopics(kafka);
  });

  async function cli(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
    const code = await runCli(argv, env, io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('puts a dead letter back on its original topic exactly once; --dry-run lists it without its content', async () => {
    const topic = uniqueTopic('cli-dlq');
    await ensureTopics(kafka, [{ topic, partitions: 1 }]);
    const eventId = randomUUID();
    const secretish = `value-${randomUUID()}`;
    await raw.send({
      topic: dlqTopic(topic),
      messages: [
        {
          key: 'user-1',
          value: JSON.stringify({ id: eventId, type: 'UserDeactivated', note: secretish }),
          headers: {
            type: 'UserDeactivated',
            id: eventId,
            'x-dlq-reason': 'unprocessable',
            'x-dlq-errors': '["refused"]',
            'x-original-topic': topic,
            'x-original-partition': '0',
            'x-original-offset': '7',
          },
        },
      ],
    });

    const dry = await cli('dlq', 'replay', topic, '--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain(`dry run: 1 dead letter(s) on ${topic}.dlq`);
    expect(dry.stdout).toMatch(
      new RegExp(`^0 +0 +unprocessable +UserDeactivated +${eventId} +${topic.replace(/\./g, '\\.')}$`, 'm'),
    );
    expect(dry.stdout).not.toContain(secretish);

    const replay = await cli('dlq', 'replay', topic);
    expect(replay).toEqual({
      code: 0,
      stdout: `replayed 1 dead letter(s) from ${topic}.dlq: 1 → ${topic}\n`,
      stderr: '',
    });
    const again = await cli('dlq', 'replay', topic);
    expect(again.stdout).toBe(`replayed 0 dead letter(s) from ${topic}.dlq\n`);

    const admin = kafka.admin();
    await admin.connect();
    const [{ high }] = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    expect(high).toBe('1'); // one copy on the original topic, however often replay ran
    const [copy] = await readTopic(kafka, topic, (all) => all.length >= 1);
    expect(copy.message.key?.toString()).toBe('user-1');
    expect((copy.value as { id: string }).id).toBe(eventId);
    expect(Object.keys(copy.message.headers ?? {}).sort()).toEqual([
      'id',
      'type',
      'x-original-offset',
      'x-original-partition',
      'x-original-topic',
    ]);
  });

  it('fails (exit 1) for a topic without a DLQ, and documents the command in --help', async () => {
    const missing = await cli('dlq', 'replay', `test.none.${randomUUID().slice(0, 8)}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^latchkey: failed: there is no topic test\.none\.[0-9a-f]{8}\.dlq\n$/);
    expect(USAGE).toContain('latchkey dlq replay <topic> [--dry-run]');
    expect((await cli('--help')).stdout).toContain('dlq replay');
  });
});

import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { repoRoot } from './repo-root';
import { waitFor } from './wait-for';

/**
 * A kafkajs client for tests, silent: kafkajs logs every retry as an error, and the tests assert
 * outcomes rather than read logs. (This package must not depend on packages/messaging, whose own
 * tests use it.)
 */
export function testKafka(clientId = 'latchkey-test'): Kafka {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
  });
}

const created = new Set<string>();

/** A topic name no other test uses: `test.<label>.<random>`; remembered for deleteTestTopics. */
export function uniqueTopic(label: string): string {
  const topic = `test.${label}.${randomBytes(4).toString('hex')}`;
  created.add(topic);
  return topic;
}

/**
 * Deletes the topics this test file named with uniqueTopic (and their `.dlq`), so a developer's
 * broker does not pile up thousands of partitions over many runs. Call it in afterAll.
 */
export async function deleteTestTopics(kafka: Kafka): Promise<void> {
  if (created.size === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [...created].flatMap((t) => [t, `${t}.dlq`]).filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    created.clear();
  } finally {
    await admin.disconnect();
  }
}

export function uniqueGroup(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}

export interface Collected {
  partition: number;
  message: KafkaMessage;
  value: unknown;
}

/**
 * Reads a topic from the beginning with a plain kafkajs consumer (no dedupe, no validation:
 * it shows what really is on the topic) until `done(all)` holds.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  done: (all: Collected[]) => boolean,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<Collected[]> {
  const all: Collected[] = [];
  const consumer = kafka.consumer({ groupId: uniqueGroup('reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        let value: unknown = null;
        try {
          value = message.value ? JSON.parse(message.value.toString('utf8')) : null;
        } catch {
          value = message.value?.toString('utf8');
        }
        all.push({ partition, message, value });
      },
    });
    await waitFor(() => done(all), { timeoutMs, what: `messages on ${topic} (have ${all.length})` });
    return all;
  } finally {
    await consumer.disconnect();
  }
}

/** Stops or starts the real broker through infra/kafka/kafka.sh (for outage tests). */
export function kafkaBroker(command: 'up' | 'down' | 'status'): void {
  const script = path.join(repoRoot(), 'infra/kafka/kafka.sh');
  const r = spawnSync('bash', [script, command], { encoding: 'utf8' });
  if (r.status !== 0 && command !== 'status') throw new Error(`kafka.sh ${command} failed: ${r.stdout}${r.stderr}`);
}

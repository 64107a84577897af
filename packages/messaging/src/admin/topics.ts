import type { Kafka, ITopicConfig } from 'kafkajs';
import { DEFAULT_PARTITIONS, dlqTopic } from '@latchkey/contracts';

export interface TopicSpec {
  topic: string;
  partitions?: number;
  /** Also create `<topic>.dlq` (default true). */
  withDlq?: boolean;
}

/** Unlimited retention: the event log is the history (see docs/architecture.md, the contracts). */
const RETAIN_FOREVER = [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
  { name: 'cleanup.policy', value: 'delete' },
];

/**
 * Creates the topics (and their DLQs) that do not exist yet; existing topics are left as they
 * are. Safe to call from several services at start.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted: ITopicConfig[] = [];
    for (const spec of specs) {
      const names = [spec.topic, ...(spec.withDlq === false ? [] : [dlqTopic(spec.topic)])];
      for (const topic of names) {
        if (existing.has(topic) || wanted.some((w) => w.topic === topic)) continue;
        wanted.push({
          topic,
          numPartitions: spec.partitions ?? DEFAULT_PARTITIONS,
          replicationFactor: -1,
          configEntries: RETAIN_FOREVER,
        });
      }
    }
    if (wanted.length === 0) return [];
    try {
      await admin.createTopics({ topics: wanted, waitForLeaders: true });
    } catch (err) {
      // Another service created one of them in between: fine, as long as they all exist now.
      const now = new Set(await admin.listTopics());
      if (!wanted.every((w) => now.has(w.topic))) throw err;
    }
    return wanted.map((w) => w.topic);
  } finally {
    await admin.disconnect();
  }
}

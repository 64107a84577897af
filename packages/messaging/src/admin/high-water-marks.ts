import type { Kafka } from 'kafkajs';

/** `topic:partition` → the offset the next message will get (what is published so far). */
export type HighWaterMarks = Map<string, number>;

/**
 * The topics' high-water marks. Retried while Kafka answers with a retriable error (e.g. "not
 * the leader" for a topic created a moment ago, before its partition leaders are known).
 */
export async function highWaterMarks(kafka: Kafka, topics: readonly string[]): Promise<HighWaterMarks> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchMarks(kafka, topics);
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable || attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function fetchMarks(kafka: Kafka, topics: readonly string[]): Promise<HighWaterMarks> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const marks: HighWaterMarks = new Map();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) marks.set(`${topic}:${p.partition}`, Number(p.high));
    }
    return marks;
  } finally {
    await admin.disconnect();
  }
}

import type { Admin, Kafka } from 'kafkajs';

/** `topic:partition` → the offset the next message will get (what is published so far). */
export type HighWaterMarks = Map<string, number>;

/**
 * The topics' high-water marks. Retried while Kafka answers with a retriable error (e.g. "not
 * the leader" for a topic created a moment ago, before its partition leaders are known).
 */
export async function highWaterMarks(kafka: Kafka, topics: readonly string[], admin?: Admin): Promise<HighWaterMarks> {
  for (let attempt = 1; ; attempt++) {
    try {
      return admin ? await marksFrom(admin, topics) : await fetchMarks(kafka, topics);
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
    return await marksFrom(admin, topics);
  } finally {
    await admin.disconnect();
  }
}

async function marksFrom(admin: Admin, topics: readonly string[]): Promise<HighWaterMarks> {
  const marks: HighWaterMarks = new Map();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) marks.set(`${topic}:${p.partition}`, Number(p.high));
  }
  return marks;
}

/**
 * An admin client kept connected for periodic reads (connecting costs a TCP connection and a few
 * requests each time); connected on first use, again after a failure.
 */
export class SharedAdmin {
  private admin: Admin | null = null;
  private connecting: Promise<Admin> | null = null;

  constructor(private readonly kafka: Kafka) {}

  async get(): Promise<Admin> {
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (err) {
        this.connecting = null;
        throw err;
      }
      this.admin = admin;
      this.connecting = null;
      return admin;
    })();
    return this.connecting;
  }

  /** After a failed request: the next get() connects anew. */
  async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.reset();
  }
}

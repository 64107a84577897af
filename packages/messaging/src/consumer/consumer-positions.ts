import type { Kafka } from 'kafkajs';
import { highWaterMarks, type HighWaterMarks } from '../admin/high-water-marks';

/**
 * Where a consumer stands (feed it from EventConsumer's `onProcessed`), so a caller can wait —
 * bounded — until it has processed everything published to some topics before now: read-your-writes
 * across services (e.g. token-service waiting for its directory to learn a user identity-service
 * registered a moment ago, instead of answering a false 404).
 */
export class ConsumerPositions {
  private readonly next = new Map<string, number>();

  constructor(private readonly kafka: Kafka) {}

  /** Records that the message at `offset` was done with. */
  processed(topic: string, partition: number, offset: string | number): void {
    const key = `${topic}:${partition}`;
    const after = Number(offset) + 1;
    if (after > (this.next.get(key) ?? 0)) this.next.set(key, after);
  }

  /** Whether every partition has been processed up to the marks. */
  caughtUpWith(marks: HighWaterMarks): boolean {
    for (const [key, high] of marks) if ((this.next.get(key) ?? 0) < high) return false;
    return true;
  }

  /**
   * Resolves true once everything published to `topics` before the call has been processed, or
   * false after `timeoutMs` (or when Kafka cannot be asked): the caller then answers from what it has.
   */
  async catchUp(topics: readonly string[], { timeoutMs = 3_000, intervalMs = 10 } = {}): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let marks: HighWaterMarks;
    try {
      marks = await highWaterMarks(this.kafka, topics);
    } catch {
      return false;
    }
    while (!this.caughtUpWith(marks)) {
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    return true;
  }
}

import { Partitioners, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { dlqTopic } from '@latchkey/contracts';

export interface ReplayDeadLettersOptions {
  /** The original topic: its dead letters are read from `<topic>.dlq`. */
  topic: string;
  /** List what a replay would republish (offset, reason, event type and id; never the value), commit nothing. */
  dryRun?: boolean;
  /** Consumer group that remembers what was replayed (default `latchkey-dlq-replay.<topic>`). */
  groupId?: string;
  /** Give up when the letters present at the start are not all done by then (default 60 s). */
  timeoutMs?: number;
}

/** One dead letter as an operator may see it: where it is, why it is there, what it is — never its content. */
export interface DeadLetterSummary {
  partition: number;
  offset: string;
  /** `x-dlq-reason` (unparseable, schema-invalid, unprocessable, …), null when absent. */
  reason: string | null;
  type: string | null;
  eventId: string | null;
  /** Where a replay sends it: `x-original-topic`, else the topic given. */
  target: string;
}

export interface ReplayDeadLettersResult {
  dlqTopic: string;
  groupId: string;
  dryRun: boolean;
  /** Dead letters not yet replayed when the run started (all of them handled by this run). */
  letters: DeadLetterSummary[];
  /** Republished, per target topic (empty on a dry run). */
  replayed: Record<string, number>;
}

const DLQ_HEADER_PREFIX = 'x-dlq-';

/**
 * Republishes the dead letters of `<topic>.dlq` to their original topic (`x-original-topic`,
 * else `topic`) with their original key, value and headers minus the `x-dlq-*` ones, so the
 * consumers try them again (after the bug that sent them there was fixed). A consumer group of
 * its own remembers what was replayed: each dead letter is replayed once, and a second run
 * replays only letters that arrived since. The run covers the letters present when it starts and
 * then returns. Delivery is at-least-once (a crash between the republish and the commit of its
 * offset replays that letter again); consumers dedupe by event id.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  options: ReplayDeadLettersOptions,
): Promise<ReplayDeadLettersResult> {
  const source = dlqTopic(options.topic);
  const groupId = options.groupId ?? `latchkey-dlq-replay.${options.topic}`;
  const dryRun = options.dryRun ?? false;
  const result: ReplayDeadLettersResult = { dlqTopic: source, groupId, dryRun, letters: [], replayed: {} };

  const pending = await lettersToDo(kafka, source, groupId);
  if (pending.size === 0) return result;

  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let finish!: (error?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  const timer = setTimeout(
    () =>
      finish(
        new Error(
          `replaying ${source} did not finish within ${options.timeoutMs ?? 60_000} ms ` +
            `(${result.letters.length} letter(s) done)`,
        ),
      ),
    options.timeoutMs ?? 60_000,
  );

  const handleBatch = async ({ batch, resolveOffset, pause, isRunning }: EachBatchPayload): Promise<void> => {
    const end = pending.get(batch.partition);
    for (const message of batch.messages) {
      if (!isRunning() || end === undefined || BigInt(message.offset) >= end) {
        pause(); // past the letters of this run: left for the next one, not committed
        break;
      }
      const letter = summarize(batch.partition, message, options.topic);
      if (!dryRun) {
        try {
          await producer.send({
            topic: letter.target,
            acks: -1,
            messages: [{ key: message.key, value: message.value, headers: withoutDlqHeaders(message.headers) }],
          });
        } catch (err) {
          pause();
          finish(
            new Error(`could not republish ${source}[${letter.partition}]@${letter.offset} to ${letter.target}`, {
              cause: err,
            }),
          );
          return;
        }
        result.replayed[letter.target] = (result.replayed[letter.target] ?? 0) + 1;
      }
      resolveOffset(message.offset); // committed by kafkajs after the batch; a dry run commits nothing
      result.letters.push(letter);
      if (BigInt(message.offset) + 1n >= end) pending.delete(batch.partition);
    }
    if (pending.size === 0) finish();
  };

  try {
    if (!dryRun) await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: source, fromBeginning: true });
    await consumer.run({ autoCommit: !dryRun, eachBatchAutoResolve: false, eachBatch: handleBatch });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    if (!dryRun) await producer.disconnect().catch(() => undefined);
  }
  result.letters.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  return result;
}

/** Per partition of the DLQ: the end (exclusive) of the letters this group has not replayed yet. */
async function lettersToDo(kafka: Kafka, source: string, groupId: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(source)) throw new Error(`there is no topic ${source}`);
    const [marks, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(source),
      admin.fetchOffsets({ groupId, topics: [source] }),
    ]);
    const pending = new Map<number, bigint>();
    for (const { partition, low, high } of marks) {
      const done = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      const next = BigInt(done) < 0n ? BigInt(low) : BigInt(done) < BigInt(low) ? BigInt(low) : BigInt(done);
      if (next < BigInt(high)) pending.set(partition, BigInt(high));
    }
    return pending;
  } finally {
    await admin.disconnect();
  }
}

function header(headers: IHeaders | undefined, name: string): string | null {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? null : first.toString();
}

function summarize(partition: number, message: KafkaMessage, topic: string): DeadLetterSummary {
  let type = header(message.headers, 'type');
  let eventId = header(message.headers, 'id');
  if ((type === null || eventId === null) && message.value) {
    try {
      const parsed = JSON.parse(message.value.toString('utf8')) as { type?: unknown; id?: unknown } | null;
      if (type === null && typeof parsed?.type === 'string') type = parsed.type;
      if (eventId === null && typeof parsed?.id === 'string') eventId = parsed.id;
    } catch {
      // not JSON: neither is known
    }
  }
  return {
    partition,
    offset: message.offset,
    reason: header(message.headers, 'x-dlq-reason'),
    type,
    eventId,
    target: header(message.headers, 'x-original-topic') ?? topic,
  };
}

function withoutDlqHeaders(headers: IHeaders | undefined): IHeaders {
  const kept: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!name.toLowerCase().startsWith(DLQ_HEADER_PREFIX)) kept[name] = value;
  }
  return kept;
}

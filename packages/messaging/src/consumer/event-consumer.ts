import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import { dlqTopic, type EventType, type LatchkeyEvent } from '@latchkey/contracts';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './backoff';
import {
  BlockedPartitions,
  type BlockedInfo,
  type BlockedPartition,
  type BlockReason,
  type UnblockedInfo,
} from './blocked-partitions';
import { decodeMessage } from './decode-message';
import type { IdempotencyStore } from './idempotency-store';
import { isUnprocessableEventError } from './unprocessable-event.error';

export interface MessageContext<TTx> {
  tx: TTx;
  topic: string;
  partition: number;
  offset: string;
}

export type EventHandler<TTx = void> = (event: LatchkeyEvent, ctx: MessageContext<TTx>) => Promise<void>;

/** Why a message went to `<topic>.dlq` (the `x-dlq-reason` header). */
export type DlqReason = 'unparseable' | 'schema-invalid' | 'unprocessable';

/**
 * How long the broker holds a fetch when there is nothing new (it answers at once when there is:
 * latency does not depend on it). An idle consumer costs one fetch per interval per broker — and
 * stop() can wait for the one in flight — so: rare enough to cost nothing idle, short enough to stop
 * promptly. It is also the floor of a blocked message's retry delay: a resumed partition is fetched
 * again when the fetch in flight returns, so retries come at most once per interval.
 */
export const DEFAULT_MAX_WAIT_MS = 1_000;

export interface EventConsumerOptions<TTx = void> {
  groupId: string;
  /** See DEFAULT_MAX_WAIT_MS. */
  maxWaitTimeInMs?: number;
  topics: string[];
  handler: EventHandler<TTx>;
  idempotency: IdempotencyStore<TTx>;
  /** Only these types reach the handler; others are skipped (and committed). Default: all. */
  types?: readonly EventType[];
  /** For a new consumer group: start at the beginning of the log (default true). */
  fromBeginning?: boolean;
  /** Back-off between attempts at a blocked message (default 100 ms doubling to 30 s, ±20 % jitter). */
  retry?: Partial<RetryPolicy>;
  /** Called for each message sent to the DLQ (metrics, logs). The reason never holds message content. */
  onDeadLetter?: (info: {
    topic: string;
    partition: number;
    offset: string;
    reason: DlqReason;
    errors: string[];
  }) => void;
  /** Called after every failed handler attempt (the message is tried again after a back-off). */
  onRetry?: (info: {
    eventId: string;
    type: string;
    attempt: number;
    error: string;
    topic: string;
    partition: number;
    offset: string;
  }) => void;
  /**
   * A partition is stuck on a message: its handler fails, or its schemaVersion is newer than this
   * code knows. Called at the first failed attempt, then every `blockedReportEvery`-th attempt
   * while it stays stuck (default every 10th: with the back-off capped at 30 s, about every 5
   * minutes). Alert on it: the partition's later messages wait until this one goes through.
   */
  onBlocked?: (info: BlockedInfo) => void;
  /** The message a partition was stuck on went through (handled or, if it said so, dead-lettered). */
  onUnblocked?: (info: UnblockedInfo) => void;
  /** See onBlocked (default 10). */
  blockedReportEvery?: number;
  /**
   * Partitions handled at once (default 6, the topics' partition count). Each partition still
   * goes one message at a time, so one aggregate's events stay in order; measured here, kafkajs
   * adds ~5 ms of delivery latency per partition it walks through sequentially.
   */
  partitionsConcurrently?: number;
  /** Called after each message is done with, whatever became of it (handled, skipped, duplicate, DLQ). */
  onProcessed?: (position: { topic: string; partition: number; offset: string }) => void;
  /** Called when the kafkajs consumer crashed (it is restarted while this consumer runs). */
  onCrash?: (info: { error: string; restartInMs: number }) => void;
}

const RESTART_AFTER_FATAL_MS = 5_000;
const DEFAULT_REPORT_EVERY = 10;

/** What became of one message: done with (its offset may be committed), or to be tried again. */
type Outcome = { done: true } | { done: false; reason: BlockReason; error: string; eventId?: string; type?: string };

const DONE: Outcome = { done: true };

/**
 * Consumes events, one message at a time per partition, so one aggregate's events reach the
 * handler in order:
 * - decode and validate; unparseable or schema-invalid → `<topic>.dlq`, and on;
 * - a known type at a newer schemaVersion than this code knows → the partition BLOCKS
 *   (`unsupported-version`): never skipped, never dead-lettered;
 * - skip what the idempotency store has seen (keyed by event id), run the handler;
 * - a handler that throws BLOCKS the partition: the same message is tried again, with back-off,
 *   until it succeeds — a security reaction is never dropped because the database was away for a
 *   while. Only a handler that throws UnprocessableEventError sends its message to the DLQ.
 *
 * How it blocks: the failing message's offset is not resolved, and its partition is paused until
 * the back-off is over; kafkajs then fetches again from that offset. The other partitions go on
 * meanwhile (kafkajs 2.2 fetches again only when every batch of the last fetch is done, so a
 * handler sleeping between attempts would stall every partition of that broker), the consumer
 * keeps heartbeating from its fetch loop (no rebalance), and stop() needs to wait for no sleep.
 * The offset stays uncommitted, so after a stop, crash or rebalance the message comes again.
 */
export class EventConsumer<TTx = void> {
  private readonly consumer: Consumer;
  private readonly dlqProducer: Producer;
  private readonly retry: RetryPolicy;
  private readonly types: Set<string> | null;
  private readonly stuck: BlockedPartitions;
  private readonly resumeTimers = new Map<string, NodeJS.Timeout>();
  private running = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private joined: Promise<void>;
  private resolveJoined!: () => void;

  constructor(
    kafka: Kafka,
    private readonly options: EventConsumerOptions<TTx>,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? DEFAULT_MAX_WAIT_MS,
      // kafkajs restarts itself after a retriable crash; never once this consumer was stopped
      // (its restart timer is set after the crash handler's own disconnect, racing our stop()).
      retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10_000, restartOnFailure: async () => this.running },
    });
    this.dlqProducer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.types = options.types ? new Set(options.types) : null;
    this.stuck = new BlockedPartitions(options.blockedReportEvery ?? DEFAULT_REPORT_EVERY);
    this.joined = new Promise((resolve) => (this.resolveJoined = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.forgetUnassigned(payload.memberAssignment);
      this.resolveJoined();
    });
    // A kafkajs restart that was already under way when stop() ran can bring the consumer back
    // (kafkajs' stop() sees no runner yet). Any sign of life after stop() means exactly that, so
    // stop again.
    const stayStopped = () => {
      if (!this.running) void this.consumer.disconnect().catch(() => undefined);
    };
    for (const event of [
      this.consumer.events.CONNECT,
      this.consumer.events.GROUP_JOIN,
      this.consumer.events.FETCH_START,
    ]) {
      this.consumer.on(event, stayStopped);
    }
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!this.running) return;
      const restartInMs = payload.restart ? 300 : RESTART_AFTER_FATAL_MS;
      this.options.onCrash?.({ error: `${payload.error.name}: ${payload.error.message}`, restartInMs });
      if (!payload.restart) this.scheduleRestart(); // kafkajs gave up (non-retriable): we don't
    });
  }

  /** The partitions stuck on a message right now (for health checks and metrics). */
  blocked(): BlockedPartition[] {
    return this.stuck.list();
  }

  private scheduleRestart(): void {
    this.restartTimer = setTimeout(async () => {
      this.restartTimer = null;
      if (!this.running) return;
      try {
        await this.subscribeAndRun();
      } catch {
        if (this.running) this.scheduleRestart();
      }
    }, RESTART_AFTER_FATAL_MS);
  }

  private async subscribeAndRun(): Promise<void> {
    await this.consumer.connect();
    if (!this.running) return this.consumer.disconnect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    if (!this.running) return this.consumer.disconnect();
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      // we resolve each message's offset ourselves, once it is done with: a blocked one never is
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 6,
      eachBatch: (p) => this.handleBatch(p),
    });
  }

  /** Connects, subscribes and starts consuming; resolves once the group assigned partitions. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.dlqProducer.connect();
    await this.subscribeAndRun();
    await this.joined;
  }

  /**
   * Finishes the message in hand, commits the offsets of the messages done with and leaves the
   * group. A blocked message is not waited for: its offset stays uncommitted, so it comes again
   * at the next start.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    for (const timer of this.resumeTimers.values()) clearTimeout(timer);
    this.resumeTimers.clear();
    this.stuck.clear();
    await this.consumer.disconnect();
    await this.dlqProducer.disconnect();
  }

  private async handleBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
    pause,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    for (const message of batch.messages) {
      if (!this.running || !isRunning() || isStale()) return;
      const outcome = await this.process(topic, partition, message);
      if (!outcome.done) {
        if (!this.running) return; // stopping: the offset stays uncommitted, the message comes again
        this.block(topic, partition, message.offset, outcome, pause);
        return; // later messages of this partition wait for this one
      }
      resolveOffset(message.offset);
      const unblocked = this.stuck.passed(topic, partition);
      if (unblocked) this.options.onUnblocked?.(unblocked);
      this.options.onProcessed?.({ topic, partition, offset: message.offset });
      await heartbeat();
      await commitOffsetsIfNecessary();
    }
  }

  /** Pauses the partition for the back-off; kafkajs then fetches it again from the unresolved offset. */
  private block(
    topic: string,
    partition: number,
    offset: string,
    failure: Exclude<Outcome, { done: true }>,
    pause: () => () => void,
  ): void {
    const { info, report } = this.stuck.failed({ topic, partition, offset }, failure);
    if (report) this.options.onBlocked?.(info);
    const resume = pause();
    const key = `${topic}\u0000${partition}`;
    const previous = this.resumeTimers.get(key);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(
      () => {
        this.resumeTimers.delete(key);
        if (!this.running) return;
        try {
          resume();
        } catch {
          // the consumer was restarted meanwhile: its new run does not have the pause
        }
      },
      backoffDelay(this.retry, info.attempt + 1),
    );
    timer.unref();
    this.resumeTimers.set(key, timer);
  }

  /** After a rebalance: partitions now read by another member are no longer ours to report (or resume). */
  private forgetUnassigned(assignment: Record<string, number[]> | undefined): void {
    for (const { topic, partition } of this.stuck.list()) {
      if (assignment?.[topic]?.includes(partition)) continue;
      this.stuck.forget(topic, partition);
      const key = `${topic}\u0000${partition}`;
      const timer = this.resumeTimers.get(key);
      if (timer) clearTimeout(timer);
      this.resumeTimers.delete(key);
      try {
        this.consumer.resume([{ topic, partitions: [partition] }]); // so it is not paused if it comes back
      } catch {
        // not running: nothing is paused
      }
    }
  }

  private async process(topic: string, partition: number, message: KafkaMessage): Promise<Outcome> {
    const decoded = decodeMessage(message.value);
    if (!decoded.ok && decoded.reason === 'unsupported-version') {
      if (this.types && !this.types.has(decoded.type)) return DONE; // a type this consumer does not read
      return {
        done: false,
        reason: 'unsupported-version',
        error: decoded.errors.join('; '),
        type: decoded.type,
        ...(decoded.eventId !== undefined ? { eventId: decoded.eventId } : {}),
      };
    }
    if (!decoded.ok) return this.deadLetter(topic, partition, message, decoded.reason, decoded.errors);
    const event = decoded.event;
    if (this.types && !this.types.has(event.type)) return DONE;

    const attempt = this.stuck.attemptsAt(topic, partition) + 1;
    try {
      await this.options.idempotency.runOnce(event.id, (tx) =>
        this.options.handler(event, { tx, topic, partition, offset: message.offset }),
      );
      return DONE;
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (isUnprocessableEventError(err)) return this.deadLetter(topic, partition, message, 'unprocessable', [error]);
      this.options.onRetry?.({
        eventId: event.id,
        type: event.type,
        attempt,
        error,
        topic,
        partition,
        offset: message.offset,
      });
      return { done: false, reason: 'handler-failing', error, eventId: event.id, type: event.type };
    }
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    reason: DlqReason,
    errors: string[],
  ): Promise<Outcome> {
    try {
      await this.dlqProducer.send({
        topic: dlqTopic(topic),
        acks: -1,
        messages: [
          {
            key: message.key,
            value: message.value,
            headers: {
              ...message.headers,
              'x-dlq-reason': reason,
              'x-dlq-errors': JSON.stringify(errors.slice(0, 20)),
              'x-original-topic': topic,
              'x-original-partition': String(partition),
              'x-original-offset': message.offset,
              'x-consumer-group': this.options.groupId,
            },
          },
        ],
      });
    } catch (err) {
      // Kafka refused the dead letter: keep the message (blocked) rather than lose it
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return { done: false, reason: 'handler-failing', error: `could not send it to ${dlqTopic(topic)}: ${error}` };
    }
    this.options.onDeadLetter?.({ topic, partition, offset: message.offset, reason, errors });
    return DONE;
  }
}

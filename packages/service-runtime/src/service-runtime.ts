import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Topics } from '@latchkey/contracts';
import {
  CommandRunner,
  OutboxRelay,
  OutboxRowParkedError,
  PgEventStore,
  ProcessedEventsPruner,
} from '@latchkey/eventstore';
import { createKafka, ensureTopics, EventProducer } from '@latchkey/messaging';
import { TokenVerifier, type MissFallback } from '@latchkey/token-verifier';

export interface ServiceRuntimeOptions {
  /** The producing service: the envelopes' `source` and the Kafka client id. */
  service: string;
  /** The service's own topic (see docs/architecture.md, the contracts). */
  topic: string;
  /** The service's DataSource (createServiceDataSource), not yet initialized. */
  dataSource: DataSource;
  kafka?: Kafka;
  kafkaBrokers?: string[];
  /** Topics the token verifier projects (default: tokens, identity, applications). */
  verifierTopics?: string[];
  missFallback?: MissFallback;
  /** Other topics the service consumes, created at start like its own (e.g. token-usage.v1). */
  extraTopics?: string[];
  /** The outbox relay's fallback poll (default 1 s); this process's own commits wake it at once. */
  relayPollIntervalMs?: number;
  /** The verifier's staleness limit: past it without progress from Kafka, bearer routes answer 503 (default 60 s). */
  stalenessLimitMs?: number;
  /** How long the broker may hold an idle fetch of the service's consumers (KAFKA_FETCH_WAIT_MS). */
  fetchWaitMs?: number;
  /** How long idempotent consumers remember a handled event id (default 30 days). */
  processedEventsRetentionMs?: number;
  log?: (message: string) => void;
}

/**
 * Everything an event-sourced Latchkey service runs besides its HTTP edge, started and stopped
 * as one: the database, the event store and command runner, the outbox relay that publishes
 * committed events to Kafka, and a token verifier for the bearer tokens of its API.
 *
 * Start order: database, topics, producer, relay, verifier (whose readiness the API waits on).
 * Stop order is the reverse; the relay stops between batches, so nothing committed is lost (it
 * stays in the outbox and leaves with the next start).
 */
export class ServiceRuntime {
  readonly kafka: Kafka;
  /** For the service's other consumers: the same fetch wait as the verifier's (undefined = EventConsumer's default). */
  readonly fetchWaitMs: number | undefined;
  readonly store: PgEventStore;
  readonly runner: CommandRunner;
  readonly verifier: TokenVerifier;
  private readonly producer: EventProducer;
  private readonly relay: OutboxRelay;
  private readonly pruner: ProcessedEventsPruner;
  private started = false;

  constructor(private readonly options: ServiceRuntimeOptions) {
    this.fetchWaitMs = options.fetchWaitMs;
    this.kafka = options.kafka ?? createKafka({ clientId: options.service, brokers: options.kafkaBrokers });
    this.store = new PgEventStore(options.dataSource, { source: options.service, topic: options.topic });
    this.runner = new CommandRunner(this.store);
    // envelopes are validated when appended (PgEventStore); the relay need not check them again
    this.producer = new EventProducer(this.kafka, { validate: false });
    let failuresLogged = 0;
    this.relay = new OutboxRelay(options.dataSource, this.producer, {
      pollIntervalMs: options.relayPollIntervalMs,
      // a row too large for one Kafka message is moved aside so the rows behind it go on; the event
      // stays in `events` (README: parked outbox rows). Never the envelope in the line.
      onParked: (row) =>
        options.log?.(
          `outbox row ${row.position} (event ${row.eventId}, ${row.type}, ${row.bytes} bytes) is too large for Kafka and was parked in outbox_parked`,
        ),
      onError: (error, consecutive) => {
        if (error instanceof OutboxRowParkedError) return; // reported by onParked
        // one line per outage, then every 20th failure: the relay keeps retrying with back-off
        if (consecutive === 1 || consecutive % 20 === 0)
          options.log?.(`outbox relay cannot publish (attempt ${consecutive}): ${(error as Error).message}`);
        failuresLogged = consecutive;
      },
      onPublished: () => {
        if (failuresLogged > 0) options.log?.('outbox relay publishing again');
        failuresLogged = 0;
      },
    });
    this.verifier = new TokenVerifier({
      kafka: this.kafka,
      topics: options.verifierTopics ?? [Topics.tokens, Topics.identity, Topics.applications],
      missFallback: options.missFallback,
      stalenessLimitMs: options.stalenessLimitMs,
      fetchWaitMs: options.fetchWaitMs,
      onPartitionBlocked: (info) =>
        options.log?.(
          `token verifier stopped at ${info.topic}[${info.partition}]@${info.offset} (${info.reason}): failing closed until it can go on`,
        ),
    });
    this.pruner = new ProcessedEventsPruner(options.dataSource, {
      retentionMs: options.processedEventsRetentionMs,
      onPruned: (deleted) => {
        if (deleted > 0) options.log?.(`pruned ${deleted} processed_events row(s) past their retention`);
      },
      onError: (err) => options.log?.(`processed_events pruning failed (retried next hour): ${(err as Error).message}`),
    });
    // The service's own events reach its own verifier the moment they commit (a revocation made
    // here stops working here at once, Kafka or not; a token issued here is known here at once),
    // and wake the relay so they leave for Kafka without waiting for its next poll.
    this.store.committed.onCommitted((envelopes) => {
      this.verifier.applyCommitted(envelopes);
      this.relay.poke();
    });
  }

  /** For `/readyz`: ready once the token verifier has caught up with the topics, and not while it is stale. */
  readiness(): { ready: boolean; stale: boolean; liveTokens: number; lastEventAppliedAt: string | null } {
    const stats = this.verifier.stats();
    const stale = this.verifier.isStale();
    return {
      ready: stats.ready && !stale,
      stale,
      liveTokens: stats.liveTokens,
      lastEventAppliedAt: stats.lastEventAppliedAt,
    };
  }

  get dataSource(): DataSource {
    return this.options.dataSource;
  }

  async start(): Promise<void> {
    if (!this.options.dataSource.isInitialized) await this.options.dataSource.initialize();
    const topics = new Set([
      this.options.topic,
      ...(this.options.verifierTopics ?? [Topics.tokens, Topics.identity, Topics.applications]),
      ...(this.options.extraTopics ?? []),
    ]);
    await ensureTopics(
      this.kafka,
      [...topics].map((topic) => ({ topic })),
    );
    await this.producer.connect();
    this.relay.start();
    await this.verifier.start();
    this.pruner.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.pruner.stop();
    await this.verifier.stop();
    await this.relay.stop();
    await this.producer.disconnect();
    if (this.options.dataSource.isInitialized) await this.options.dataSource.destroy();
  }
}

import type { Kafka } from 'kafkajs';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { EventProducer, ensureTopics } from '@latchkey/messaging';
import { createEmptyDatabase, deleteTestTopics, testKafka, uniqueTopic, type EmptyDatabase } from '@latchkey/testing';
import { EventFactory } from '@latchkey/token-verifier/testing';
import type { ServiceRuntime } from '../service-runtime';

export interface ServiceTopics {
  identity: string;
  tokens: string;
  applications: string;
}

/**
 * What a service's integration tests share: a fresh database, topics of its own on the real
 * Kafka, a producer to publish other services' events (e.g. TokenIssued as token-service would),
 * and waits for the service's own events to have gone through the outbox and the verifier.
 */
export class ServiceTestKit {
  readonly kafka: Kafka;
  readonly topics: ServiceTopics;
  readonly factory = new EventFactory();
  db!: EmptyDatabase;
  private producer!: EventProducer;
  private runtime: ServiceRuntime | null = null;

  constructor(label: string) {
    this.kafka = testKafka(`${label}-test`);
    this.topics = {
      identity: uniqueTopic(`${label}-identity`),
      tokens: uniqueTopic(`${label}-tokens`),
      applications: uniqueTopic(`${label}-applications`),
    };
  }

  /** Creates the database (migrated by `migrate(url)`) and the topics, and connects the producer. */
  async start(migrate: (databaseUrl: string) => Promise<unknown>): Promise<void> {
    this.db = await createEmptyDatabase();
    await migrate(this.db.url);
    await ensureTopics(
      this.kafka,
      Object.values(this.topics).map((topic) => ({ topic, withDlq: false })),
    );
    this.producer = new EventProducer(this.kafka);
    await this.producer.connect();
  }

  /** The service's runtime, once started (for the waits below). */
  attach(runtime: ServiceRuntime): void {
    this.runtime = runtime;
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    await deleteTestTopics(this.kafka);
    await this.db?.drop();
  }

  async publish(topic: string, events: LatchkeyEvent[]): Promise<void> {
    await this.producer.publish(events.map((envelope) => ({ topic, envelope })));
  }

  /** A PAT for `userId` in `accountIds` with `scopes`, published as token-service would, and applied by the service's verifier. */
  async tokenFor(userId: string, accountIds: string[], scopes: string[]): Promise<string> {
    const pat = this.factory.pat(userId, { accountIds, scopes });
    await this.publish(this.topics.tokens, [pat.issued]);
    await this.attached().verifier.catchUp();
    return pat.token;
  }

  /** Waits until the outbox is empty (the service's events are on Kafka) and the verifier has applied everything. */
  async waitForOwnEvents(timeoutMs = 20_000): Promise<void> {
    const runtime = this.attached();
    const deadline = Date.now() + timeoutMs;
    while (Number((await runtime.dataSource.query('SELECT count(*) AS n FROM outbox'))[0].n) > 0) {
      if (Date.now() > deadline) throw new Error(`outbox not drained within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await runtime.verifier.catchUp();
  }

  private attached(): ServiceRuntime {
    if (!this.runtime) throw new Error('ServiceTestKit: attach(runtime) first');
    return this.runtime;
  }
}

import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { EventEnvelope } from '@latchkey/contracts';

/** Called with the events of a transaction right after it committed (never for a rolled-back one). */
export type CommittedListener = (envelopes: readonly EventEnvelope[]) => void;

interface Pending {
  /** The transaction depth each batch was appended at (savepoints are depth > 1). */
  batches: Array<{ depth: number; envelopes: readonly EventEnvelope[] }>;
}

/**
 * Tells the process about its own events the moment they are committed: the event store records
 * what it appended on the transaction's query runner, and a TypeORM transaction subscriber hands
 * the events to the listeners after COMMIT (a rollback, or the rollback of the savepoint they were
 * appended in, drops them). A service uses it to apply its own revocations to its own verifier at
 * once — it knows them before Kafka does — and to wake its outbox relay.
 *
 * Listeners run synchronously after the commit, before the command's caller gets its answer; one
 * that throws is isolated from the others and from the command (the events are committed anyway).
 */
export class CommittedEvents {
  private readonly listeners = new Set<CommittedListener>();
  /** Where this instance keeps a transaction's events on its query runner (one key per instance: several stores may share a DataSource). */
  private readonly key = Symbol('latchkey.appendedEnvelopes');
  private readonly subscriber: EntitySubscriberInterface = {
    afterTransactionCommit: ({ queryRunner }) => {
      if (queryRunner.isTransactionActive) return; // a savepoint was released: the outer transaction decides
      const pending = this.take(queryRunner);
      if (pending) this.notify(pending.batches.flatMap((b) => b.envelopes));
    },
    afterTransactionRollback: ({ queryRunner }) => {
      const pending = this.pendingOf(queryRunner);
      if (!pending) return;
      if (!queryRunner.isTransactionActive) this.take(queryRunner);
      else pending.batches = pending.batches.filter((b) => b.depth <= depthOf(queryRunner));
    },
  };

  constructor(private readonly dataSource: DataSource) {}

  /** Registers a listener; returns the function that removes it. */
  onCommitted(listener: CommittedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by the event store after appending `envelopes` with `manager`. */
  record(manager: EntityManager, envelopes: readonly EventEnvelope[]): void {
    if (envelopes.length === 0 || this.listeners.size === 0) return;
    const runner = manager.queryRunner;
    if (!runner || !runner.isTransactionActive) {
      this.notify(envelopes); // no transaction: the statement has committed already
      return;
    }
    this.subscribe();
    runner.data ??= {};
    const data = runner.data as Record<symbol, Pending | undefined>;
    const pending = (data[this.key] ??= { batches: [] });
    pending.batches.push({ depth: depthOf(runner), envelopes });
  }

  private pendingOf(runner: QueryRunner): Pending | undefined {
    return (runner.data as Record<symbol, Pending | undefined> | undefined)?.[this.key];
  }

  private take(runner: QueryRunner): Pending | undefined {
    const pending = this.pendingOf(runner);
    if (pending) delete (runner.data as Record<symbol, Pending | undefined>)[this.key];
    return pending;
  }

  // TypeORM replaces its subscriber list when the DataSource initializes, so join it lazily.
  private subscribe(): void {
    if (!this.dataSource.subscribers.includes(this.subscriber)) this.dataSource.subscribers.push(this.subscriber);
  }

  private notify(envelopes: readonly EventEnvelope[]): void {
    for (const listener of this.listeners) {
      try {
        listener(envelopes);
      } catch {
        // a listener's failure must not turn a committed command into an error
      }
    }
  }
}

function depthOf(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth?: number }).transactionDepth ?? 1;
}

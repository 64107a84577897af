import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics, type EventEnvelope, type LatchkeyEvent } from '@latchkey/contracts';
import { EventConsumer, highWaterMarks, SharedAdmin, type IdempotencyStore } from '@latchkey/messaging';
import { hashSecret } from '@latchkey/token-format';
import type { MissFallback } from '../fallback/miss-fallback';
import { tokenKey, tokenKeyOfHash, TokenProjection } from '../projection/token-projection';
import { IssueWaiters } from './issue-waiters';
import { PartitionProgress } from './partition-progress';
import { verifyToken, type VerifyOptions, type VerifyResult } from '../verify';

export interface TokenVerifierOptions {
  kafka: Kafka;
  /** Topics to project; default the three of the contracts (tokens, identity, applications). */
  topics?: string[];
  /** Each instance reads every event, so each needs a group of its own (default: random). */
  groupId?: string;
  /** How often expired tokens are evicted (default 60 s). */
  evictionIntervalMs?: number;
  /** How often the topics' high-water marks are read for `stats().lag` and staleness (default: a third of the staleness limit, at most 15 s). */
  lagIntervalMs?: number;
  clock?: () => number;
  /** Off by default: checks a well-formed, unknown token once elsewhere (see MissFallback). */
  missFallback?: MissFallback;
  /** Called after each event is applied (e.g. to measure the delay from its occurredAt). */
  onApplied?: (event: LatchkeyEvent) => void;
  /**
   * How long a partition may go without progress (while behind) or without word from Kafka before
   * the verifier is stale and fails closed (default 60 s). See isStale().
   */
  stalenessLimitMs?: number;
  /**
   * How long a request with a well-formed token the projection does not know waits for its
   * TokenIssued to arrive from Kafka before the miss fallback is asked (default 250 ms; 0 = never
   * wait). Read-your-writes without a call to token-service in the usual case.
   */
  awaitIssueMs?: number;
  /** Requests that may wait so at once (default 10,000); beyond, they go straight to the fallback. */
  maxIssueWaiters?: number;
  /** Revoked tokens that never expire stay tombstones this long (default 7 days); see TokenProjection. */
  tombstoneRetentionMs?: number;
  /** How long the broker may hold the consumer's fetch when nothing arrives (default: EventConsumer's). */
  fetchWaitMs?: number;
  /** Told when a partition gets stuck (an event that cannot be applied yet) or moves again. */
  onPartitionBlocked?: (info: {
    topic: string;
    partition: number;
    offset: string;
    reason: string;
    error: string;
  }) => void;
}

/** The default staleness limit of every verifier (gateway and services). */
export const DEFAULT_STALENESS_LIMIT_MS = 60_000;

export interface VerifierStats {
  ready: boolean;
  liveTokens: number;
  /** Messages behind the latest known high-water marks (read every lagIntervalMs), per `topic:partition`. */
  lag: Record<string, number>;
  /** Per `topic:partition`: the next offset to apply and the latest known high-water mark. */
  offsets: Record<string, { applied: number; highWaterMark: number }>;
  lastEventAppliedAt: string | null;
  /** The last time Kafka answered (a message processed, or the high-water marks read); null before. */
  lastContactAt: string | null;
  /** Partitions stuck on an event the verifier cannot apply (it is stale while any is). */
  blocked: Array<{ partition: string; offset: string; reason: string }>;
}

/** The projection's reducers are idempotent by nature, so they need no dedupe store (and its memory). */
const IDEMPOTENT_BY_NATURE: IdempotencyStore<void> = {
  runOnce: async (_eventId, work) => {
    await work();
    return 'handled';
  },
};

/**
 * A TokenProjection fed from Kafka. On start it reads the topics from the beginning and reports
 * ready only once it has processed every message up to the high-water marks it saw at start.
 */
export class TokenVerifier {
  readonly projection: TokenProjection;
  private readonly consumer: EventConsumer;
  private readonly topics: string[];
  private readonly progress = new PartitionProgress();
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((r) => (this.resolveReady = r));
  private evictionTimer: NodeJS.Timeout | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private readonly stalenessLimitMs: number;
  private readonly waiters: IssueWaiters;
  /** The periodic high-water-mark reads reuse one connection (a new one every few seconds costs the broker). */
  private readonly admin: SharedAdmin;

  constructor(private readonly options: TokenVerifierOptions) {
    this.projection = new TokenProjection(options.clock, { tombstoneRetentionMs: options.tombstoneRetentionMs });
    this.stalenessLimitMs = options.stalenessLimitMs ?? DEFAULT_STALENESS_LIMIT_MS;
    this.waiters = new IssueWaiters(options.maxIssueWaiters ?? 10_000);
    this.admin = new SharedAdmin(options.kafka);
    this.topics = options.topics ?? [Topics.tokens, Topics.identity, Topics.applications];
    this.consumer = new EventConsumer(options.kafka, {
      groupId: options.groupId ?? `token-verifier-${randomBytes(6).toString('hex')}`,
      topics: this.topics,
      fromBeginning: true,
      maxWaitTimeInMs: options.fetchWaitMs,
      idempotency: IDEMPOTENT_BY_NATURE,
      handler: async (event) => {
        this.apply(event);
        this.options.onApplied?.(event);
      },
      onProcessed: ({ topic, partition, offset }) => {
        if (this.progress.processed(`${topic}:${partition}`, Number(offset), Date.now())) this.resolveReady();
      },
      // An event this verifier cannot apply (e.g. a newer schemaVersion of a TokenRevoked) is never
      // skipped: the partition stops there and the verifier is stale (fails closed) until it moves.
      onBlocked: (info) => {
        this.progress.blocked(`${info.topic}:${info.partition}`, { offset: info.offset, reason: info.reason });
        this.options.onPartitionBlocked?.(info);
      },
      onUnblocked: (info) => {
        this.progress.unblocked(`${info.topic}:${info.partition}`);
      },
    });
  }

  /** Notes the high-water marks, then starts consuming. Resolves once consuming; see `ready()`. */
  async start(): Promise<void> {
    if (this.progress.start(await this.highWaterMarks(), Date.now())) this.resolveReady();
    await this.consumer.start();
    this.evictionTimer = setInterval(() => this.projection.evictExpired(), this.options.evictionIntervalMs ?? 60_000);
    this.evictionTimer.unref();
    this.lagTimer = setInterval(() => {
      this.admin
        .get()
        .then((admin) => highWaterMarks(this.options.kafka, this.topics, admin))
        .then((marks) => this.progress.marksRead(marks, Date.now()))
        .catch(() => this.admin.reset()); // Kafka unreachable: the last known marks stay, and staleness counts
    }, this.lagIntervalMs());
    this.lagTimer.unref();
  }

  /**
   * How often the high-water marks are read: three times per staleness limit (so a quiet
   * partition is found caught up well before the limit would call it stale), and at most every
   * 15 s — each read is a few requests to the broker, which an idle platform should not pay often.
   */
  private lagIntervalMs(): number {
    return this.options.lagIntervalMs ?? Math.min(15_000, Math.max(100, Math.floor(this.stalenessLimitMs / 3)));
  }

  /** Resolves once caught up with the high-water marks seen at start. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /**
   * Resolves once every message published before the call has been applied (read-your-writes
   * for a caller that just published, e.g. a test or an admin tool).
   */
  async catchUp({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> {
    const marks = await this.highWaterMarks();
    const deadline = Date.now() + timeoutMs;
    while (!this.progress.caughtUpWith(marks)) {
      if (Date.now() > deadline) throw new Error(`not caught up within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private highWaterMarks(): Promise<Map<string, number>> {
    return highWaterMarks(this.options.kafka, this.topics);
  }

  get isReady(): boolean {
    return this.progress.isReady;
  }

  /**
   * Applies this process's own events the moment they commit (see the event store's
   * CommittedEvents), before their Kafka copies arrive: a service's own revocations stop its own
   * verifier at once — even with Kafka down — and a token it just issued is known at once. The
   * reducers are idempotent and per-part versioned, so the Kafka copies change nothing later.
   */
  applyCommitted(envelopes: readonly EventEnvelope[]): void {
    for (const envelope of envelopes) this.apply(envelope as LatchkeyEvent);
  }

  private apply(event: LatchkeyEvent): void {
    this.projection.apply(event);
    if (event.type === 'TokenIssued' && this.waiters.size > 0)
      this.waiters.issued(tokenKeyOfHash(event.data.tokenHash));
  }

  verify(token: string, options?: VerifyOptions): VerifyResult {
    return verifyToken(this.projection, token, options, (this.options.clock ?? Date.now)());
  }

  /**
   * verify(), and for a well-formed bearer token (pat, at) the projection does not know yet: a
   * short wait for its TokenIssued (it is usually milliseconds behind the answer that created it),
   * then — still unknown, and when one is configured — the miss fallback, which looks it up once by
   * its hash. A revoked token is never unknown, so it never waits nor is looked up.
   */
  async verifyWithFallback(
    token: string,
    options: VerifyOptions = {},
    context: { clientKey?: string } = {},
  ): Promise<VerifyResult> {
    let local = this.verify(token, options);
    if (local.active || local.reason !== 'unknown') return local;
    if (!token.startsWith('lk_pat_') && !token.startsWith('lk_at_')) return local;
    const key = tokenKey(token);
    if (this.projection.token(key) === undefined && !this.isStale()) {
      if (await this.waiters.wait(key, this.options.awaitIssueMs ?? 250)) {
        local = this.verify(token, options);
        if (local.active || local.reason !== 'unknown') return local;
      }
    }
    if (!this.options.missFallback) return local;
    return this.options.missFallback.resolve(hashSecret(token), options, {
      clientKey: context.clientKey,
      local: this.projection,
    });
  }

  stats(): VerifierStats {
    const at = this.projection.lastEventAppliedAt;
    const contact = this.progress.lastContactAt;
    return {
      ready: this.progress.isReady,
      liveTokens: this.projection.size,
      lag: this.progress.lag(),
      offsets: this.progress.offsets(),
      lastEventAppliedAt: at === null ? null : new Date(at).toISOString(),
      lastContactAt: contact === null ? null : new Date(contact).toISOString(),
      blocked: this.progress.blockedList(),
    };
  }

  /**
   * Whether this verifier cannot vouch for tokens right now (see PartitionProgress): before the
   * first catch-up, while a partition is stuck, and once a partition has gone `limitMs` without
   * progress, until every partition has caught up again. Callers fail closed (503) while stale.
   */
  isStale(limitMs: number = this.stalenessLimitMs, now: number = Date.now()): boolean {
    return this.progress.isStale(limitMs, now);
  }

  async stop(): Promise<void> {
    if (this.evictionTimer) clearInterval(this.evictionTimer);
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.consumer.stop();
    await this.admin.close();
  }
}

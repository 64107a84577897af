import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Topics, type LatchkeyEvent } from '@latchkey/contracts';
import { EventConsumer, type IdempotencyStore } from '@latchkey/messaging';
import { hashSecret } from '@latchkey/token-format';
import type { MissFallback } from '../fallback/miss-fallback';
import { TokenProjection } from '../projection/token-projection';
import { verifyToken, type VerifyOptions, type VerifyResult } from '../verify';

export interface TokenVerifierOptions {
  kafka: Kafka;
  /** Topics to project; default the three of DESIGN §3 (tokens, identity, applications). */
  topics?: string[];
  /** Each instance reads every event, so each needs a group of its own (default: random). */
  groupId?: string;
  /** How often expired tokens are evicted (default 60 s). */
  evictionIntervalMs?: number;
  /** How often the topics' high-water marks are read for `stats().lag` (default 5 s). */
  lagIntervalMs?: number;
  clock?: () => number;
  /** Off by default: checks a well-formed, unknown token once elsewhere (see MissFallback). */
  missFallback?: MissFallback;
  /** Called after each event is applied (e.g. to measure the delay from its occurredAt). */
  onApplied?: (event: LatchkeyEvent) => void;
}

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
  private readonly targets = new Map<string, number>();
  private readonly positions = new Map<string, number>();
  private readyFlag = false;
  private resolveReady!: () => void;
  private readonly readyPromise = new Promise<void>((r) => (this.resolveReady = r));
  private readonly latestMarks = new Map<string, number>();
  private evictionTimer: NodeJS.Timeout | null = null;
  private lastContact: number | null = null;
  private staleLatched = false;
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: TokenVerifierOptions) {
    this.projection = new TokenProjection(options.clock);
    this.topics = options.topics ?? [Topics.tokens, Topics.identity, Topics.applications];
    this.consumer = new EventConsumer(options.kafka, {
      groupId: options.groupId ?? `token-verifier-${randomBytes(6).toString('hex')}`,
      topics: this.topics,
      fromBeginning: true,
      idempotency: IDEMPOTENT_BY_NATURE,
      handler: async (event) => {
        this.projection.apply(event);
        this.options.onApplied?.(event);
      },
      onProcessed: ({ topic, partition, offset }) => {
        this.lastContact = Date.now();
        this.positions.set(`${topic}:${partition}`, Number(offset) + 1);
        if (!this.readyFlag) this.checkCaughtUp();
      },
    });
  }

  /** Notes the high-water marks, then starts consuming. Resolves once consuming; see `ready()`. */
  async start(): Promise<void> {
    for (const [key, high] of await this.highWaterMarks()) {
      this.targets.set(key, high);
      this.latestMarks.set(key, high);
    }
    this.lastContact = Date.now();
    this.checkCaughtUp();
    await this.consumer.start();
    this.evictionTimer = setInterval(() => this.projection.evictExpired(), this.options.evictionIntervalMs ?? 60_000);
    this.evictionTimer.unref();
    this.lagTimer = setInterval(() => {
      this.highWaterMarks()
        .then((marks) => {
          marks.forEach((high, key) => this.latestMarks.set(key, high));
          this.lastContact = Date.now();
        })
        .catch(() => undefined); // Kafka unreachable: the last known marks stay
    }, this.options.lagIntervalMs ?? 5_000);
    this.lagTimer.unref();
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
    while ([...marks].some(([key, high]) => (this.positions.get(key) ?? 0) < high)) {
      if (Date.now() > deadline) throw new Error(`not caught up within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * The topics' high-water marks. Retried while Kafka answers with a retriable error (e.g. "not
   * the leader" for a topic created a moment ago, before its partition leaders are known).
   */
  private async highWaterMarks(): Promise<Map<string, number>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchHighWaterMarks();
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  }

  private async fetchHighWaterMarks(): Promise<Map<string, number>> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const marks = new Map<string, number>();
      for (const topic of this.topics) {
        for (const p of await admin.fetchTopicOffsets(topic)) marks.set(`${topic}:${p.partition}`, Number(p.high));
      }
      return marks;
    } finally {
      await admin.disconnect();
    }
  }

  get isReady(): boolean {
    return this.readyFlag;
  }

  verify(token: string, options?: VerifyOptions): VerifyResult {
    return verifyToken(this.projection, token, options, (this.options.clock ?? Date.now)());
  }

  /**
   * verify(), plus the miss fallback when one is configured: a bearer token (pat, at) that the
   * projection does not know yet is looked up once by its hash. A revoked token never is.
   */
  async verifyWithFallback(token: string, options: VerifyOptions = {}): Promise<VerifyResult> {
    const local = this.verify(token, options);
    if (local.active || local.reason !== 'unknown' || !this.options.missFallback) return local;
    if (!token.startsWith('lk_pat_') && !token.startsWith('lk_at_')) return local;
    return this.options.missFallback.resolve(hashSecret(token), options);
  }

  stats(): VerifierStats {
    const lag: Record<string, number> = {};
    const offsets: VerifierStats['offsets'] = {};
    for (const [key, high] of this.latestMarks) {
      const applied = this.positions.get(key) ?? 0;
      lag[key] = Math.max(0, high - applied);
      offsets[key] = { applied, highWaterMark: high };
    }
    const at = this.projection.lastEventAppliedAt;
    return {
      ready: this.readyFlag,
      liveTokens: this.projection.size,
      lag,
      offsets,
      lastEventAppliedAt: at === null ? null : new Date(at).toISOString(),
      lastContactAt: this.lastContact === null ? null : new Date(this.lastContact).toISOString(),
    };
  }

  /**
   * The staleness policy of a gateway: stale once Kafka has not answered for longer than
   * `limitMs` (or before the first catch-up), and from then on until Kafka answers again AND
   * every partition has caught up with the latest known high-water marks. A gateway fails closed
   * while stale and recovers by itself.
   */
  isStale(limitMs: number, now: number = Date.now()): boolean {
    if (!this.readyFlag || this.lastContact === null) return true;
    if (now - this.lastContact > limitMs) {
      this.staleLatched = true;
      return true;
    }
    if (this.staleLatched) {
      for (const [key, high] of this.latestMarks) if ((this.positions.get(key) ?? 0) < high) return true;
      this.staleLatched = false;
    }
    return false;
  }

  async stop(): Promise<void> {
    if (this.evictionTimer) clearInterval(this.evictionTimer);
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.consumer.stop();
  }

  private checkCaughtUp(): void {
    for (const [key, target] of this.targets) if ((this.positions.get(key) ?? 0) < target) return;
    this.readyFlag = true;
    this.resolveReady();
  }
}

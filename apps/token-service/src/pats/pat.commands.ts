import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { isUniqueViolation, lockStream, type StoredEvent } from '@latchkey/eventstore';
import type { ServiceRuntime } from '@latchkey/service-runtime';
import { displayPrefix, generateSecret, hashSecret } from '@latchkey/token-format';
import type { EntityManager } from 'typeorm';
import {
  DEFAULT_TOKEN_POLICY,
  grantStream,
  patDecider,
  TokenError,
  type IssuingFacts,
  type PatActorFacts,
  type PatCommand,
  type TokenPolicy,
} from '../domain';
import { projectTokenEvents } from '../read-model/token.projection';
import type { PatView, TokenQueries } from '../read-model/token.queries';
import type { EventEnvelope, GrantCreatedData, TokenIssuedData } from '@latchkey/contracts';

export interface CreatePatInput {
  userId: string;
  name: string;
  description?: string | null;
  scopes: string[];
  accountIds: string[];
  expiresAt: string | null;
}

/** Lets a command wait, bounded, for the directory (projected from identity.events.v1) to catch up. */
export interface DirectoryCatchUp {
  /** Resolves true once everything identity-service published before the call is in the directory (false after `timeoutMs`). */
  catchUp(timeoutMs: number): Promise<boolean>;
}

/**
 * Refusals that may only mean "the directory has not heard yet": an administrator registers a
 * user, or grants a role, and at once creates a token with it. Such a refusal is decided again
 * once the directory has caught up, rather than answered as a false 404/403.
 */
const DIRECTORY_DEPENDENT = new Set(['USER_UNKNOWN', 'USER_DEACTIVATED', 'ACCOUNT_NOT_HELD', 'SCOPE_NOT_HELD']);
/** How long such a refusal may wait for the directory (a refusal that stands is answered after it). */
const DIRECTORY_WAIT_MS = 2_000;

export interface PatHistoryEntry {
  type: string;
  at: string;
  actor: string | null;
  tokenId?: string;
  reason?: string;
}

/**
 * The PAT use cases. Each runs in one transaction that first takes the grant stream's lock (the
 * event store's one concurrency strategy), so concurrent regenerate/revoke calls on one token
 * queue instead of racing (exactly one live secret or none, never a conflict error); then
 * read the facts → load → decide → append (+ outbox) → read models.
 * Secrets are generated here and returned once; only their SHA-256 and display prefix go on.
 */
export class PatCommands {
  private readonly log = new Logger('pats');

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly queries: TokenQueries,
    private readonly clock: () => Date,
    private readonly directory?: DirectoryCatchUp,
  ) {}

  /**
   * Runs `work`; a refusal that depends on the directory is decided again once the directory has
   * caught up with identity.events.v1 — repeatedly, within DIRECTORY_WAIT_MS, because the event the
   * caller just caused at identity-service may still be on its way to Kafka (its relay publishes it
   * a few milliseconds after the answer). A refusal that stands after the wait is answered as it is.
   */
  private async withCurrentDirectory<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + DIRECTORY_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (!(err instanceof TokenError) || err.about !== 'user' || !DIRECTORY_DEPENDENT.has(err.code)) throw err;
        if (!this.directory) throw err;
        const pause = attempt === 0 ? 0 : Math.min(200, 25 * 2 ** attempt);
        if (Date.now() + pause >= deadline) throw err;
        if (pause > 0) await new Promise((r) => setTimeout(r, pause));
        if (!(await this.directory.catchUp(deadline - Date.now()))) throw err;
      }
    }
  }

  /**
   * Creates a PAT; answers its read-model view (built from the appended events: no re-read) and
   * the token, shown once. `createdBy` is who really acts: the user, or the administrator (or
   * operator) creating it for them.
   */
  create(
    input: CreatePatInput,
    actor: PatActorFacts,
    createdBy: string,
  ): Promise<{ grantId: string; token: string; view: PatView }> {
    return this.withCurrentDirectory(() => this.createOnce(input, actor, createdBy));
  }

  private async createOnce(
    input: CreatePatInput,
    actor: PatActorFacts,
    createdBy: string,
  ): Promise<{ grantId: string; token: string; view: PatView }> {
    const grantId = randomUUID();
    const token = generateSecret('pat');
    let view: PatView;
    try {
      // a fresh random grant id: nobody else can be writing this stream, so no lock is needed
      view = await this.runtime.dataSource.transaction(async (manager) => {
        // FOR SHARE: serialises with a deactivation; the name check comes in the same round trip
        const { user, nameTaken, policies } = await this.issuingFacts(
          input.userId,
          input.name,
          input.accountIds,
          manager,
        );
        const envelopes = await this.decide(
          manager,
          grantId,
          {
            type: 'CreatePat',
            grantId,
            tokenId: randomUUID(),
            tokenHash: hashSecret(token),
            displayPrefix: displayPrefix(token),
            userId: input.userId,
            name: input.name,
            description: input.description ?? null,
            scopes: input.scopes,
            accountIds: input.accountIds,
            expiresAt: input.expiresAt,
            now: this.clock().toISOString(),
            createdBy,
            facts: { user, actor, policies, nameTaken },
          },
          createdBy,
          true,
        );
        return viewOfNewPat(envelopes);
      });
    } catch (err) {
      // two creations racing for one name: the read model's unique index stops the second
      if (isUniqueViolation(err) && JSON.stringify(err).includes('pats_live_name_key'))
        throw new TokenError('NAME_TAKEN', 'a live token of this user already has this name');
      throw err;
    }
    this.log.debug(`created personal access token ${grantId} for user ${input.userId} by ${createdBy}`);
    return { grantId, token, view };
  }

  /**
   * A new secret for the same settings; the old one is dead at once. A regeneration is a
   * creation: the decider checks it against the user, the calling token (`actor`) and the
   * accounts' policies as they are now. `expiresAt` undefined keeps the lifetime length.
   */
  regenerate(grantId: string, actor: PatActorFacts, regeneratedBy: string, expiresAt?: string | null): Promise<string> {
    return this.withCurrentDirectory(() => this.regenerateOnce(grantId, actor, regeneratedBy, expiresAt));
  }

  private async regenerateOnce(
    grantId: string,
    actor: PatActorFacts,
    regeneratedBy: string,
    expiresAt?: string | null,
  ): Promise<string> {
    const token = generateSecret('pat');
    await this.inLockedTransaction(grantId, async (manager) => {
      const pat = await this.queries.pat(grantId, manager);
      if (pat === null) throw new TokenError('GRANT_NOT_FOUND', 'token not found');
      const { user, policies } = await this.issuingFacts(pat.userId, null, pat.accountIds, manager);
      return this.decide(
        manager,
        grantId,
        {
          type: 'RegeneratePat',
          tokenId: randomUUID(),
          tokenHash: hashSecret(token),
          displayPrefix: displayPrefix(token),
          now: this.clock().toISOString(),
          ...(expiresAt === undefined ? {} : { expiresAt }),
          regeneratedBy,
          userId: pat.userId,
          facts: { user, actor, policies },
        },
        regeneratedBy,
      );
    });
    this.log.log(`regenerated personal access token ${grantId} by ${regeneratedBy}`);
    return token;
  }

  /** Revokes the grant and its token at a person's request (recorded as revokedBy); revoking a revoked one changes nothing. */
  async revoke(grantId: string, reason: string, actor: string): Promise<void> {
    await this.inLockedTransaction(grantId, (manager) => this.revokeLocked(manager, grantId, reason, actor, actor));
    this.log.log(`revoked personal access token ${grantId} (${reason}) by ${actor}`);
  }

  /**
   * Revocation inside the caller's transaction, by the platform itself (the reactions to
   * deactivations and disabled applications): `actor` (the causing event) goes to the event
   * store's metadata; the events name no person.
   */
  async revokeIn(manager: EntityManager, grantId: string, reason: string, actor: string): Promise<void> {
    await lockStream(manager, grantStream(grantId)); // the runner's lock, taken before the facts are read
    await this.revokeLocked(manager, grantId, reason, actor);
  }

  private async revokeLocked(
    manager: EntityManager,
    grantId: string,
    reason: string,
    actor: string,
    revokedBy?: string,
  ): Promise<void> {
    const now = this.clock().toISOString();
    await this.decide(
      manager,
      grantId,
      { type: 'RevokePat', reason, now, ...(revokedBy === undefined ? {} : { revokedBy }) },
      actor,
    );
  }

  /** The user (FOR SHARE), the accounts' policies (the default where none is set) and, given a name, whether it is taken. */
  private async issuingFacts(
    userId: string,
    name: string | null,
    accountIds: readonly string[],
    manager: EntityManager,
  ): Promise<Omit<IssuingFacts, 'actor'> & { nameTaken: boolean }> {
    const { user, nameTaken, policies: stored } = await this.queries.issuingFacts(userId, name, accountIds, manager);
    const policies: Record<string, TokenPolicy> = {};
    for (const account of accountIds) policies[account] = stored[account] ?? DEFAULT_TOKEN_POLICY;
    return {
      user: user === null ? null : { kind: user.kind, active: user.active, permissions: user.permissions },
      policies,
      nameTaken,
    };
  }

  /** Who created, regenerated and revoked the token, and when: straight from its stream. */
  async history(grantId: string): Promise<PatHistoryEntry[]> {
    const stored: StoredEvent[] = await this.runtime.store.loadStored(grantId);
    return stored.map(({ envelope, metadata }) => {
      const data = envelope.data as { tokenId?: string; reason?: string };
      return {
        type: envelope.type,
        at: envelope.occurredAt,
        actor: typeof metadata.actor === 'string' ? metadata.actor : null,
        ...(data.tokenId !== undefined && envelope.type !== 'GrantRevoked' ? { tokenId: data.tokenId } : {}),
        ...(data.reason !== undefined ? { reason: data.reason } : {}),
      };
    });
  }

  private inLockedTransaction<T>(grantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.runtime.dataSource.transaction(async (manager) => {
      // the event store's stream lock (the runner takes it again, re-entrantly), before the facts
      // are read, so the facts and the decision see the same state
      await lockStream(manager, grantStream(grantId));
      return work(manager);
    });
  }

  private async decide(
    manager: EntityManager,
    grantId: string,
    command: PatCommand,
    actor: string,
    newStream = false,
  ): Promise<EventEnvelope[]> {
    const { envelopes } = await this.runtime.runner.runIn(manager, patDecider, command, {
      stream: grantStream(grantId),
      actor,
      newStream,
      project: (m, events) => projectTokenEvents(m, events),
    });
    return envelopes;
  }
}

/** The read-model view of a PAT just created, from its GrantCreated and TokenIssued (what the projection writes). */
function viewOfNewPat(envelopes: EventEnvelope[]): PatView {
  const created = envelopes.find((e) => e.type === 'GrantCreated') as EventEnvelope<'GrantCreated', GrantCreatedData>;
  const issued = envelopes.find((e) => e.type === 'TokenIssued') as EventEnvelope<'TokenIssued', TokenIssuedData>;
  return {
    id: created.data.grantId,
    userId: created.data.userId as string,
    name: created.data.name ?? '',
    description: created.data.description ?? null,
    displayPrefix: issued.data.displayPrefix,
    scopes: created.data.scopes,
    accountIds: created.data.accountIds,
    createdBy: created.data.createdBy,
    createdAt: new Date(created.occurredAt).toISOString(),
    issuedAt: new Date(issued.data.issuedAt).toISOString(),
    expiresAt: issued.data.expiresAt === null ? null : new Date(issued.data.expiresAt).toISOString(),
    lastUsedAt: null,
    revokedAt: null,
    status: 'active',
  };
}

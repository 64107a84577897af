import { Logger } from '@nestjs/common';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { PgIdempotencyStore } from '@latchkey/eventstore';
import { EventConsumer, type ConsumerPositions } from '@latchkey/messaging';
import type { ServiceRuntime } from '@latchkey/service-runtime';
import type { EntityManager } from 'typeorm';
import type { OAuthGrantCommands } from '../oauth/grants/oauth-grant.commands';
import type { PatCommands } from '../pats/pat.commands';
import { isCurrentVersion, projectApplicationEvent, projectDirectoryEvent } from '../read-model/directory.projection';
import type { TokenQueries } from '../read-model/token.queries';

export interface UpstreamTopics {
  identity: string;
  applications: string;
  usage: string;
}

export const UPSTREAM_CONSUMER = 'token-service-upstream';

/** The consumer group of this database's reactions (see the installation migration). */
export async function upstreamGroupId(runtime: ServiceRuntime): Promise<string> {
  const [{ id }] = (await runtime.dataSource.query('SELECT id FROM installation')) as Array<{ id: string }>;
  return `${UPSTREAM_CONSUMER}-${id}`;
}

/**
 * token-service's reactions to the other services, one consumer group, exactly once per event
 * (the event id is recorded in processed_events in the same transaction as the effect):
 * - identity.events.v1 → the directory read model (users, kinds, statuses, permissions), and
 *   UserDeactivated → GrantRevoked for each of the user's live grants;
 * - applications.events.v1: ApplicationDisabled / ApplicationDeleted → GrantRevoked for each of
 *   the application's live grants;
 * - token-usage.v1: TokensUsed → last-used times (only ever moved forward).
 */
export function createUpstreamConsumer(deps: {
  runtime: ServiceRuntime;
  queries: TokenQueries;
  pats: PatCommands;
  oauth: OAuthGrantCommands;
  topics: UpstreamTopics;
  clock: () => Date;
  groupId: string;
  /** Told of every message done with (so commands can wait for the directory to catch up). */
  positions?: ConsumerPositions;
}): EventConsumer<EntityManager> {
  const log = new Logger('reactions');
  return new EventConsumer<EntityManager>(deps.runtime.kafka, {
    groupId: deps.groupId,
    maxWaitTimeInMs: deps.runtime.fetchWaitMs,
    topics: [deps.topics.identity, deps.topics.applications, deps.topics.usage],
    onProcessed: ({ topic, partition, offset }) => deps.positions?.processed(topic, partition, offset),
    types: [
      'AccountCreated',
      'UserRegistered',
      'MembershipChanged',
      'UserDeactivated',
      'UserReactivated',
      'ApplicationRegistered',
      'ApplicationUpdated',
      'ApplicationSecretRotated',
      'ApplicationEnabled',
      'ApplicationDisabled',
      'ApplicationDeleted',
      'TokensUsed',
    ],
    idempotency: new PgIdempotencyStore(deps.runtime.dataSource, UPSTREAM_CONSUMER),
    // a reaction (a deactivation's revocations…) that cannot be applied yet blocks its partition
    // and is retried until it is: said loudly, never skipped
    onBlocked: (info) =>
      log.error(
        `reaction to ${info.type ?? 'an event'} ${info.eventId ?? ''} from ${info.topic}[${info.partition}]@${info.offset} failing (${info.reason}, attempt ${info.attempt}); retrying: ${info.error}`,
      ),
    onUnblocked: (info) =>
      log.log(`reactions moving again on ${info.topic}[${info.partition}] from offset ${info.offset}`),
    onDeadLetter: (info) =>
      log.error(`event sent to the DLQ (${info.reason}) from ${info.topic}[${info.partition}]@${info.offset}`),
    handler: async (event, { tx }) => react(event, tx, deps, log),
  });
}

async function react(
  event: LatchkeyEvent,
  tx: EntityManager,
  deps: { queries: TokenQueries; pats: PatCommands; oauth: OAuthGrantCommands; clock: () => Date },
  log: Logger,
): Promise<void> {
  switch (event.type) {
    case 'UserDeactivated': {
      // an old deactivation replayed after a reactivation (a consumer-group offset reset, with
      // processed_events pruned) must not revoke the grants made since
      const current = await isCurrentVersion(tx, { userId: event.data.userId }, event.aggregateVersion);
      await projectDirectoryEvent(tx, event);
      if (!current) return;
      const grants = await deps.queries.liveGrantsOf({ userId: event.data.userId }, tx);
      for (const grantId of [...grants].sort())
        await revokeGrantIn(tx, deps, grantId, 'user_deactivated', `event:${event.id}`);
      // and their sign-ins at the authorization server: no silent authorization afterwards
      await tx.query('UPDATE login_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [
        event.data.userId,
      ]);
      if (grants.length > 0) log.log(`revoked ${grants.length} grant(s) of deactivated user ${event.data.userId}`);
      return;
    }
    case 'AccountCreated':
    case 'UserRegistered':
    case 'MembershipChanged':
    case 'UserReactivated':
      await projectDirectoryEvent(tx, event);
      return;
    case 'ApplicationRegistered':
    case 'ApplicationUpdated':
    case 'ApplicationSecretRotated':
    case 'ApplicationEnabled':
      await projectApplicationEvent(tx, event);
      return;
    case 'ApplicationDisabled':
    case 'ApplicationDeleted': {
      const current = await isCurrentVersion(tx, { clientId: event.data.clientId }, event.aggregateVersion);
      await projectApplicationEvent(tx, event);
      if (!current) return;
      const grants = await deps.queries.liveGrantsOf({ clientId: event.data.clientId }, tx);
      const reason = event.type === 'ApplicationDisabled' ? 'application_disabled' : 'application_deleted';
      // a stable lock order: a deactivation revoking some of the same grants cannot deadlock with this
      for (const grantId of [...grants].sort()) await revokeGrantIn(tx, deps, grantId, reason, `event:${event.id}`);
      if (grants.length > 0) log.log(`revoked ${grants.length} grant(s) of application ${event.data.clientId}`);
      return;
    }
    case 'TokensUsed':
      for (const entry of event.data.entries) {
        await tx.query(
          `UPDATE pats SET last_used_at = $2 WHERE token_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
          [entry.tokenId, entry.lastUsedAt],
        );
        await tx.query(
          `UPDATE oauth_grants g SET last_used_at = $2 FROM token_hashes h
            WHERE h.token_id = $1 AND g.grant_id = h.grant_id AND (g.last_used_at IS NULL OR g.last_used_at < $2)`,
          [entry.tokenId, entry.lastUsedAt],
        );
      }
      return;
    default:
      return;
  }
}

/** A grant of any kind, revoked through its own decider (a PAT's or an OAuth grant's). */
async function revokeGrantIn(
  tx: EntityManager,
  deps: { pats: PatCommands; oauth: OAuthGrantCommands },
  grantId: string,
  reason: string,
  actor: string,
): Promise<void> {
  if (await deps.oauth.isOAuthGrant(tx, grantId)) await deps.oauth.revokeIn(tx, grantId, reason, actor);
  else await deps.pats.revokeIn(tx, grantId, reason, actor);
}

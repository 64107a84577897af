import { Logger } from '@nestjs/common';
import { Topics } from '@latchkey/contracts';
import { ConsumerPositions, type EventConsumer } from '@latchkey/messaging';
import { ServiceRuntime, verifierOptions } from '@latchkey/service-runtime';
import type { Kafka } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import { SERVICE_NAME, type TokenServiceConfig } from './config/token-service.config';
import { createDataSource } from './database/data-source';
import { TokenIntrospection } from './introspection/token-introspection';
import { OAuthClients } from './oauth/clients/oauth-client';
import { OAuthGrantCommands } from './oauth/grants/oauth-grant.commands';
import { browserStatePruner } from './oauth/sessions/browser-state-pruner';
import { PatCommands } from './pats/pat.commands';
import { PolicyCommands } from './policies/policy.commands';
import { createUpstreamConsumer, upstreamGroupId } from './reactions/upstream.consumer';
import { expiredTokenHashPruner } from './read-model/expired-token-hashes';
import { TokenQueries } from './read-model/token.queries';

/** Test and tuning seams; production uses the defaults. */
export interface TokenContextOverrides {
  kafka?: Kafka;
  /** Topics (tests use their own). */
  topics?: { identity: string; tokens: string; applications: string; usage?: string };
  clock?: () => Date;
  poolSize?: number;
}

/** Everything token-service runs, built once and shared by its public and internal listeners (and the CLI). */
export interface TokenContext {
  config: TokenServiceConfig;
  runtime: ServiceRuntime;
  queries: TokenQueries;
  /** Whether a token is active, from token-service's own tables (the shared rule of every verifier). */
  introspection: TokenIntrospection;
  pats: PatCommands;
  oauth: OAuthGrantCommands;
  /** The authorization server's read model of the registry's applications. */
  clients: OAuthClients;
  policies: PolicyCommands;
  upstream: EventConsumer<EntityManager> | null;
  clock: () => Date;
  stop(): Promise<void>;
}

export const TOKEN_CONTEXT = Symbol('TOKEN_CONTEXT');

/**
 * Starts the runtime (database, outbox relay, token verifier) and, unless `withReactions` is
 * false (the CLI), the consumer of the other services' events.
 */
export async function startTokenContext(
  config: TokenServiceConfig,
  overrides: TokenContextOverrides = {},
  { withReactions = true } = {},
): Promise<TokenContext> {
  const log = new Logger(SERVICE_NAME);
  const topics = overrides.topics ?? {
    identity: Topics.identity,
    tokens: Topics.tokens,
    applications: Topics.applications,
    usage: Topics.tokenUsage,
  };
  const usage = topics.usage ?? Topics.tokenUsage;
  const clock = overrides.clock ?? (() => new Date());
  const dataSource = createDataSource(config.DATABASE_URL, overrides.poolSize);
  const introspection = new TokenIntrospection(dataSource, clock);
  const runtime = new ServiceRuntime({
    service: SERVICE_NAME,
    topic: topics.tokens,
    dataSource,
    kafka: overrides.kafka,
    kafkaBrokers: config.KAFKA_BROKERS,
    verifierTopics: [topics.tokens, topics.identity, topics.applications],
    extraTopics: [usage],
    // its own verifier knows every token this process issues at commit; one issued by another
    // instance a moment ago is looked up in the tables here, by the same rule
    ...verifierOptions(config, (tokenHash) => introspection.answer(tokenHash)),
    processedEventsRetentionMs: config.PROCESSED_EVENTS_RETENTION_DAYS * 86_400_000,
    relayPollIntervalMs: config.OUTBOX_POLL_MS,
    log: (message) => log.warn(message),
  });
  await runtime.start();
  const pruner = expiredTokenHashPruner(dataSource, config.EXPIRED_TOKEN_RETENTION_DAYS * 86_400_000, (m) =>
    log.log(m),
  );
  pruner.start();
  const browserPruner = browserStatePruner(dataSource, (m) => log.log(m));
  browserPruner.start();
  const queries = new TokenQueries(dataSource);
  const positions = new ConsumerPositions(runtime.kafka);
  const pats = new PatCommands(
    runtime,
    queries,
    clock,
    withReactions ? { catchUp: (timeoutMs) => positions.catchUp([topics.identity], { timeoutMs }) } : undefined,
  );
  const policies = new PolicyCommands(runtime);
  const oauth = new OAuthGrantCommands(runtime, queries, clock);
  const clients = new OAuthClients(dataSource);
  let upstream: EventConsumer<EntityManager> | null = null;
  try {
    if (withReactions) {
      upstream = createUpstreamConsumer({
        runtime,
        queries,
        pats,
        oauth,
        topics: { identity: topics.identity, applications: topics.applications, usage },
        clock,
        groupId: await upstreamGroupId(runtime),
        positions,
      });
      await upstream.start();
    }
  } catch (err) {
    await pruner.stop();
    await browserPruner.stop();
    await runtime.stop();
    throw err;
  }
  return {
    config,
    runtime,
    queries,
    introspection,
    pats,
    policies,
    oauth,
    clients,
    upstream,
    clock,
    async stop() {
      await upstream?.stop();
      await pruner.stop();
      await browserPruner.stop();
      await runtime.stop();
    },
  };
}

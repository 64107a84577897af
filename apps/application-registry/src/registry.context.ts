import { Logger } from '@nestjs/common';
import { Topics } from '@latchkey/contracts';
import { ServiceRuntime, verifierOptions } from '@latchkey/service-runtime';
import type { Kafka } from 'kafkajs';
import { ApplicationCommands } from './applications/application.commands';
import { SERVICE_NAME, type ApplicationRegistryConfig } from './config/application-registry.config';
import { createDataSource } from './database/data-source';
import { PLATFORM_LIMITS, type Limits } from './domain';
import { ApplicationQueries } from './read-model/applications.queries';

/** Test and tuning seams; production uses the defaults. */
export interface RegistryContextOverrides {
  kafka?: Kafka;
  /** Topics (tests use their own): the applications topic it publishes to, and those its verifier reads. */
  topics?: { identity: string; tokens: string; applications: string };
  limits?: Limits;
  clock?: () => Date;
}

/** Everything application-registry runs besides its HTTP edge. */
export interface RegistryContext {
  config: ApplicationRegistryConfig;
  runtime: ServiceRuntime;
  queries: ApplicationQueries;
  applications: ApplicationCommands;
}

export const REGISTRY_CONTEXT = Symbol('REGISTRY_CONTEXT');

/** Starts the runtime (database, outbox relay, token verifier). */
export async function startRegistryContext(
  config: ApplicationRegistryConfig,
  overrides: RegistryContextOverrides = {},
): Promise<RegistryContext> {
  const log = new Logger(SERVICE_NAME);
  const topics = overrides.topics ?? {
    identity: Topics.identity,
    tokens: Topics.tokens,
    applications: Topics.applications,
  };
  const dataSource = createDataSource(config.DATABASE_URL);
  const runtime = new ServiceRuntime({
    service: SERVICE_NAME,
    topic: topics.applications,
    dataSource,
    kafka: overrides.kafka,
    kafkaBrokers: config.KAFKA_BROKERS,
    verifierTopics: [topics.tokens, topics.identity, topics.applications],
    ...verifierOptions(config, { url: config.INTROSPECTION_URL, credential: config.INTERNAL_SERVICE_TOKEN }),
    processedEventsRetentionMs: config.PROCESSED_EVENTS_RETENTION_DAYS * 86_400_000,
    relayPollIntervalMs: config.OUTBOX_POLL_MS,
    log: (message) => log.warn(message),
  });
  await runtime.start();
  const queries = new ApplicationQueries(dataSource);
  const applications = new ApplicationCommands(
    runtime,
    overrides.limits ?? PLATFORM_LIMITS,
    overrides.clock ?? (() => new Date()),
  );
  await applications.registerConsole(config.CONSOLE_CLIENT_ID, config.CONSOLE_REDIRECT_URI);
  return { config, runtime, queries, applications };
}

import { Logger } from '@nestjs/common';
import { Topics } from '@latchkey/contracts';
import { ServiceRuntime, verifierOptions } from '@latchkey/service-runtime';
import type { Kafka } from 'kafkajs';
import { AccountCommands } from './accounts/account.commands';
import { bootstrapDirectory, type BootstrapOutcome } from './bootstrap/bootstrap';
import { SERVICE_NAME, type IdentityServiceConfig } from './config/identity-service.config';
import {
  CredentialStore,
  LoginChecker,
  PasswordHasher,
  type LoginPolicy,
  type PasswordHasherOptions,
} from './credentials';
import { createDataSource } from './database/data-source';
import { createRoleCatalogue, type RoleCatalogue } from './domain';
import { IdentityQueries } from './read-model/identity.queries';
import { UserCommands } from './users/user.commands';

/** Test and tuning seams; production uses the defaults. */
export interface IdentityContextOverrides {
  kafka?: Kafka;
  /** Topics (tests use their own): the identity topic it publishes to, and those its verifier reads. */
  topics?: { identity: string; tokens: string; applications: string };
  hasher?: PasswordHasherOptions;
  loginPolicy?: Partial<LoginPolicy>;
}

/** Everything identity-service runs, built once and shared by its public and internal listeners. */
export interface IdentityContext {
  config: IdentityServiceConfig;
  runtime: ServiceRuntime;
  queries: IdentityQueries;
  catalogue: RoleCatalogue;
  hasher: PasswordHasher;
  credentials: CredentialStore;
  loginChecker: LoginChecker;
  accounts: AccountCommands;
  users: UserCommands;
  bootstrap: BootstrapOutcome;
}

export const IDENTITY_CONTEXT = Symbol('IDENTITY_CONTEXT');

/** Starts the runtime (database, outbox relay, token verifier) and runs the bootstrap. */
export async function startIdentityContext(
  config: IdentityServiceConfig,
  overrides: IdentityContextOverrides = {},
): Promise<IdentityContext> {
  const log = new Logger(SERVICE_NAME);
  const topics = overrides.topics ?? {
    identity: Topics.identity,
    tokens: Topics.tokens,
    applications: Topics.applications,
  };
  const dataSource = createDataSource(config.DATABASE_URL);
  const runtime = new ServiceRuntime({
    service: SERVICE_NAME,
    topic: topics.identity,
    dataSource,
    kafka: overrides.kafka,
    kafkaBrokers: config.KAFKA_BROKERS,
    verifierTopics: [topics.tokens, topics.identity, topics.applications],
    ...verifierOptions(config, { url: config.INTROSPECTION_URL, credential: config.INTERNAL_SERVICE_TOKEN }),
    processedEventsRetentionMs: config.PROCESSED_EVENTS_RETENTION_DAYS * 86_400_000,
    relayPollIntervalMs: config.OUTBOX_POLL_MS,
    log: (message) => log.warn(message),
  });
  const catalogue = createRoleCatalogue(config.RECORD_TYPES);
  const hasher = await PasswordHasher.create(overrides.hasher);
  await runtime.start();
  try {
    const queries = new IdentityQueries(dataSource);
    const credentials = new CredentialStore(dataSource);
    const loginChecker = new LoginChecker({
      hasher,
      store: credentials,
      dataSource,
      findUserByEmail: (email) => queries.userForLogin(email),
      policy: overrides.loginPolicy,
      logger: { log: (m) => log.log(m), warn: (m) => log.warn(m) },
    });
    const accounts = new AccountCommands(runtime, catalogue);
    const users = new UserCommands(runtime, queries, catalogue, hasher, credentials);
    const bootstrap = await bootstrapDirectory(
      {
        directoryName: config.BOOTSTRAP_DIRECTORY_NAME,
        adminEmail: config.BOOTSTRAP_ADMIN_EMAIL,
        adminPassword: config.BOOTSTRAP_ADMIN_PASSWORD,
      },
      { accounts, users, queries },
    );
    if (bootstrap === 'created') log.log('bootstrap: created the directory account and its administrator');
    return { config, runtime, queries, catalogue, hasher, credentials, loginChecker, accounts, users, bootstrap };
  } catch (err) {
    await runtime.stop();
    throw err;
  }
}

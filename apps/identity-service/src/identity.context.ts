import { Logger } from '@nestjs/common';
import { Topics } from '@latchkey/contracts';
import { ServiceRuntime, verifierOptions } from '@latchkey/service-runtime';
import type { Kafka } from 'kafkajs';
import { AccountCommands } from './accounts/account.commands';
import { bootstrapAdminId, bootstrapDirectory, type BootstrapOutcome } from './bootstrap/bootstrap';
import { FirstSignIn } from './bootstrap/first-sign-in';
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
  firstSignIn: FirstSignIn;
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
    const firstSignIn = new FirstSignIn(dataSource);
    await announceFirstSignIn(config, { credentials, queries, firstSignIn });
    return {
      config,
      runtime,
      queries,
      catalogue,
      hasher,
      credentials,
      loginChecker,
      accounts,
      users,
      bootstrap,
      firstSignIn,
    };
  } catch (err) {
    await runtime.stop();
    throw err;
  }
}

/**
 * While the bootstrap administrator has no password (none configured, none set since), each start
 * prints a one-time link to choose one in the console. This line is the one deliberate exception
 * to "no secret in a log line": it is how a newcomer gets in after `npm start`; the code in it
 * works once, for 24 hours, and the next start replaces it.
 */
async function announceFirstSignIn(
  config: IdentityServiceConfig,
  deps: { credentials: CredentialStore; queries: IdentityQueries; firstSignIn: FirstSignIn },
): Promise<void> {
  if (config.BOOTSTRAP_ADMIN_EMAIL === '' || config.BOOTSTRAP_ADMIN_PASSWORD !== '') return;
  const adminId = bootstrapAdminId(config.BOOTSTRAP_ADMIN_EMAIL);
  if ((await deps.credentials.hashOf(adminId)) !== null) return;
  if ((await deps.queries.user(adminId))?.status !== 'active') return;
  const code = await deps.firstSignIn.issue(adminId);
  process.stdout.write(
    `\n  First sign-in: open ${config.CONSOLE_URL}/setup?code=${code}\n` +
      `  to choose the password of ${config.BOOTSTRAP_ADMIN_EMAIL} (the link works once, for 24 hours;\n` +
      `  each start prints a new one until a password is set, or set BOOTSTRAP_ADMIN_PASSWORD).\n\n`,
  );
}

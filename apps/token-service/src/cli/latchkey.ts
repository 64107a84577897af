#!/usr/bin/env node
import 'reflect-metadata';
import { Logger, type LoggerService } from '@nestjs/common';
import { ConfigError, readEnv, type Env } from '@latchkey/config';
import { createKafka } from '@latchkey/messaging';
import { loadTokenServiceConfig, TOKEN_SERVICE_ENV } from '../config/token-service.config';
import { isTokenError } from '../domain';
import { startTokenContext, type TokenContextOverrides } from '../token.context';
import { parseCliArgs, USAGE, UsageError, type CliArgs } from './cli-args';
import { replayDlqAsOperator } from './dlq.command';
import { operatorActor } from './operator';
import { createPatAsOperator, revokePatAsOperator, type CliIo } from './pat.command';

export { USAGE } from './cli-args';
export type { CliIo } from './pat.command';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Test seams; the bin uses none of them. */
export interface CliOverrides {
  /** Kafka client and topics (tests use their own topics). */
  context?: TokenContextOverrides;
  /** The `operator:<user>@<host>` actor (default: from the OS). */
  operator?: string;
  publishTimeoutMs?: number;
}

const oneLine = (text: string) =>
  text
    .replace(/:\s*\n\s*(-\s+)?/g, ': ')
    .replace(/\s*\n\s*(-\s+)?/g, '; ')
    .trim();

/**
 * The `latchkey` command line: parses `argv` (without node and the script), runs the command
 * against token-service's database and Kafka (read from `env` as the service reads them; `dlq`
 * commands need Kafka only) and returns the exit code: 0 done, 1 refused or failed, 2 usage error.
 */
export async function runCli(
  argv: readonly string[],
  env: Env,
  io: CliIo,
  overrides: CliOverrides = {},
): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`latchkey: ${err.message}\nRun "latchkey --help" for usage.\n`);
    return EXIT_USAGE;
  }
  if (args.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }

  try {
    if (args.command === 'dlq-replay') {
      // Kafka only: an operator can replay dead letters from any machine that reaches the brokers
      const { KAFKA_BROKERS } = readEnv({ KAFKA_BROKERS: TOKEN_SERVICE_ENV.KAFKA_BROKERS }, env);
      const kafka = overrides.context?.kafka ?? createKafka({ clientId: 'token-service-cli', brokers: KAFKA_BROKERS });
      await replayDlqAsOperator(kafka, args, io);
      return EXIT_OK;
    }
    const config = loadTokenServiceConfig(env);
    const kafka =
      overrides.context?.kafka ?? createKafka({ clientId: 'token-service-cli', brokers: config.KAFKA_BROKERS });
    // Without reactions: the running service's consumer group keeps its partitions.
    const ctx = await startTokenContext(config, { poolSize: 2, ...overrides.context, kafka }, { withReactions: false });
    try {
      const options = {
        operator: overrides.operator ?? operatorActor(env),
        publishTimeoutMs: overrides.publishTimeoutMs,
      };
      if (args.command === 'pat-create') await createPatAsOperator(ctx, args, io, options);
      else await revokePatAsOperator(ctx, args, io, options);
    } finally {
      await ctx
        .stop()
        .catch((err: unknown) =>
          io.stderr.write(
            `latchkey: warning: did not stop cleanly: ${oneLine(err instanceof Error ? err.message : String(err))}\n`,
          ),
        );
    }
    return EXIT_OK;
  } catch (err) {
    if (isTokenError(err)) io.stderr.write(`latchkey: refused (${err.code}): ${oneLine(err.message)}\n`);
    else if (err instanceof ConfigError)
      io.stderr.write(`latchkey: cannot read the configuration: ${oneLine(err.message)}\n`);
    else io.stderr.write(`latchkey: failed: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT_FAILED;
  }
}

/** Framework log lines go to stderr (stdout carries the token alone); warnings and errors only. */
const stderrLogger: LoggerService = {
  log: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
  warn: (message: unknown, context?: unknown) =>
    void process.stderr.write(`latchkey: warning${context ? ` [${String(context)}]` : ''}: ${String(message)}\n`),
  error: (message: unknown, ...rest: unknown[]) =>
    void process.stderr.write(
      `latchkey: error: ${String(message)}${rest.length > 0 ? ` ${rest.map(String).join(' ')}` : ''}\n`,
    ),
  fatal: (message: unknown) => void process.stderr.write(`latchkey: fatal: ${String(message)}\n`),
};

async function main(): Promise<void> {
  Logger.overrideLogger(stderrLogger);
  const code = await runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr });
  process.exitCode = code;
  // kafkajs may keep a timer alive for a moment after disconnecting; everything is flushed by now
  setTimeout(() => process.exit(code), 1_000).unref();
}

if (require.main === module) {
  void main();
}

import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { fixKafkaJsIdleLoop } from './request-queue-idle-fix';

// Installed when this package loads, not per client: every kafkajs client in a process that uses
// our messaging (services, and tests whose clients come from @latchkey/testing) runs fixed.
fixKafkaJsIdleLoop();

export interface KafkaConnectionOptions {
  /** host:port list; default from KAFKA_BROKERS or 127.0.0.1:9092. */
  brokers?: string[];
  clientId: string;
  /** Where kafkajs log lines go; default: warnings and errors on stderr as JSON. */
  logger?: (entry: {
    level: 'error' | 'warn' | 'info' | 'debug';
    message: string;
    fields: Record<string, unknown>;
  }) => void;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function brokersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Errors kafkajs logs while it retries by itself (a coordinator still loading after a broker
 * start, a leader moving, a connection refused during an outage). They are warnings to us: the
 * client retries, and our own code reports when it gives up.
 */
const RETRIABLE =
  /coordinator is (loading|not available)|not the correct coordinator|leader(ship)? (is )?not available|Connection (error|timeout)|ECONNREFUSED|Not authorized to access group|This server does not host this topic-partition|rebalanc/i;

function defaultLogger(entry: { level: string; message: string; fields: Record<string, unknown> }): void {
  if (entry.level !== 'error' && entry.level !== 'warn') return;
  process.stderr.write(
    `${JSON.stringify({ level: entry.level, logger: 'kafkajs', message: entry.message, ...entry.fields })}\n`,
  );
}

/** A kafkajs client whose log lines go through our logger, with retriable noise demoted. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const sink = options.logger ?? defaultLogger;
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers ?? brokersFromEnv(),
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, timestamp: _t, logger: _l, ...fields } = log as Record<string, unknown> & { message: string };
        let mapped = LEVELS[level] ?? 'info';
        const text = `${message} ${String(fields.error ?? '')}`;
        if (mapped === 'error' && RETRIABLE.test(text)) mapped = 'warn';
        // Not news to us: we pass our own partitioner, and bound the idempotent producer's
        // retries on purpose (the outbox relay retries the batch; consumers dedupe by event id).
        if (/switched default partitioner|Limiting retries for the idempotent producer/.test(message)) return;
        sink({ level: mapped, message, fields });
      },
  };
  return new Kafka(config);
}

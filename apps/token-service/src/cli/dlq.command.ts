import type { Kafka } from 'kafkajs';
import { replayDeadLetters, type DeadLetterSummary } from '@latchkey/messaging';
import type { DlqReplayArgs } from './cli-args';
import type { CliIo } from './pat.command';

const dash = (value: string | null) => value ?? '-';

function table(letters: readonly DeadLetterSummary[]): string {
  const rows = [
    ['partition', 'offset', 'reason', 'type', 'event id', 'replays to'],
    ...letters.map((l) => [String(l.partition), l.offset, dash(l.reason), dash(l.type), dash(l.eventId), l.target]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `latchkey dlq replay <topic> [--dry-run]`: republishes (or lists) the dead letters of
 * `<topic>.dlq` and prints what it did; only Kafka is needed.
 */
export async function replayDlqAsOperator(
  kafka: Kafka,
  args: DlqReplayArgs,
  io: CliIo,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const result = await replayDeadLetters(kafka, {
    topic: args.topic,
    dryRun: args.dryRun,
    timeoutMs: options.timeoutMs,
  });
  const n = result.letters.length;
  if (args.dryRun) {
    io.stdout.write(
      `dry run: ${n} dead letter(s) on ${result.dlqTopic} not replayed yet (consumer group ${result.groupId}); nothing was changed\n`,
    );
    if (n > 0) io.stdout.write(`${table(result.letters)}\n`);
    return;
  }
  const counts = Object.entries(result.replayed).map(([topic, count]) => `${count} → ${topic}`);
  io.stdout.write(
    `replayed ${n} dead letter(s) from ${result.dlqTopic}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}\n`,
  );
}

type LogMethod = (...args: unknown[]) => void;

/** A Nest-compatible logger (LoggerService's shape) whose lines land in `lines`. */
export interface CapturingLogger {
  log: LogMethod;
  error: LogMethod;
  warn: LogMethod;
  debug: LogMethod;
  verbose: LogMethod;
  fatal: LogMethod;
}

export interface CapturedOutput {
  /** Every log call and every chunk written to stdout/stderr since the capture began. */
  readonly lines: string[];
  /** Give it to the app (`createNestApplication(adapter, { logger })`, `Logger.overrideLogger(logger)`). */
  readonly logger: CapturingLogger;
  /** Puts stdout and stderr back. */
  restore(): void;
}

const show = (a: unknown): string =>
  a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a);

/**
 * Captures everything a process logs (for the tests that prove no secret reaches a log line):
 * a logger for the framework, plus stdout and stderr (where kafkajs and anything else write),
 * still passed through to the terminal.
 */
export function captureOutput(): CapturedOutput {
  const lines: string[] = [];
  const push: LogMethod = (...args) => void lines.push(args.map(show).join(' '));
  const originals: Array<[NodeJS.WriteStream, NodeJS.WriteStream['write']]> = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write;
    originals.push([stream, write]);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as NodeJS.WriteStream['write'];
  }
  return {
    lines,
    logger: { log: push, error: push, warn: push, debug: push, verbose: push, fatal: push },
    restore: () => {
      for (const [stream, write] of originals) stream.write = write;
    },
  };
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface Listener {
  app: NestFastifyApplication;
  host: string;
  port: number;
}

/**
 * Listens on each address (a service's public API, and its internal listener if it has one)
 * and, on SIGTERM or SIGINT, closes them all, then stops what runs behind them (`stop`: the
 * runtime — relay, consumers, database) and exits 0. Answers once every listener listens.
 */
export async function serveUntilSignal(
  listeners: readonly Listener[],
  stop: () => Promise<void>,
  log: (message: string) => void,
): Promise<void> {
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await Promise.allSettled(listeners.map((l) => l.app.close()));
    await stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void onSignal('SIGTERM'));
  process.once('SIGINT', () => void onSignal('SIGINT'));
  for (const l of listeners) await l.app.listen(l.port, l.host);
}

/** `http://host:port` (IPv6 hosts in brackets), for log lines. */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

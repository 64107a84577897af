import 'reflect-metadata';
import { ConfigError } from '@latchkey/config';
import { listenUrl } from '@latchkey/http';
import { loadConsoleConfig, SERVICE_NAME } from './config/console.config';
import { buildConsoleServer } from './server/console-server';

const log = (level: 'log' | 'error', message: string) =>
  void (level === 'error' ? process.stderr : process.stdout).write(`[${SERVICE_NAME}] ${message}\n`);

async function main(): Promise<void> {
  const config = loadConsoleConfig();
  const server = buildConsoleServer();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('log', `${signal}: stopping`);
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await server.listen({ port: config.PORT, host: config.HOST });
  log('log', `listening on ${listenUrl(config.HOST, config.PORT)} (browsers: ${config.PUBLIC_URL})`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) log('error', `cannot start. ${err.message}`);
  else log('error', `failed to start: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});

import { ConfigError } from '@latchkey/config';
import { loadGatewayConfig, SERVICE_NAME } from './config/gateway.config';
import { startGateway } from './gateway';
import { RoutePolicyError } from './routes';

const url = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
const log = (level: 'log' | 'error', message: string) =>
  void (level === 'error' ? process.stderr : process.stdout).write(`[${SERVICE_NAME}] ${message}\n`);

/**
 * The gateway runs on plain Fastify + undici (not Nest): its hot path is one route, and every
 * microsecond of framework per request is paid on every call (docs/architecture.md, gateway).
 */
async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const gateway = await startGateway(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('log', `${signal}: stopping`);
    await gateway.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await gateway.server.listen({ port: config.PORT, host: config.HOST });
  await gateway.metricsServer.listen({ port: config.METRICS_PORT, host: config.METRICS_HOST });
  log(
    'log',
    `listening on ${url(config.HOST, config.PORT)}; protected routes answer 503 until the token projection has caught up`,
  );
  log('log', `internal listener (/metrics, /healthz, /readyz) on ${url(config.METRICS_HOST, config.METRICS_PORT)}`);
  void gateway.verifier.ready().then(() => log('log', 'token projection caught up: ready'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof RoutePolicyError) log('error', `cannot start. ${err.message}`);
  else log('error', `failed to start: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});

import 'reflect-metadata';
import { ConfigError } from '@latchkey/config';
import { listenUrl } from '@latchkey/http';
import { ServiceApi } from './api/service-api';
import { loadConsoleConfig, SERVICE_NAME } from './config/console.config';
import { createDataSource } from './database/data-source';
import { AuthorizationClient } from './oauth/authorization-client';
import { CsrfTokens } from './security/csrf';
import { buildConsoleServer } from './server/console-server';
import { SessionCookie } from './sessions/session-cookie';
import { SessionStore } from './sessions/session-store';

const log = (level: 'log' | 'error', message: string) =>
  void (level === 'error' ? process.stderr : process.stdout).write(`[${SERVICE_NAME}] ${message}\n`);
const HOUR_MS = 3_600_000;

async function main(): Promise<void> {
  const config = loadConsoleConfig();
  const dataSource = createDataSource(config.DATABASE_URL);
  await dataSource.initialize();
  const sessions = new SessionStore(dataSource, config.SESSION_KEY);
  const server = buildConsoleServer({
    sessions,
    auth: new AuthorizationClient({
      browserUrl: config.TOKEN_SERVICE_URL,
      apiUrl: config.TOKEN_SERVICE_API_URL,
      clientId: config.OAUTH_CLIENT_ID,
      redirectUri: `${config.PUBLIC_URL}/callback`,
    }),
    tokenService: new ServiceApi(config.TOKEN_SERVICE_API_URL, 'token service'),
    identity: new ServiceApi(config.IDENTITY_URL, 'identity service'),
    registry: new ServiceApi(config.APPLICATION_REGISTRY_URL, 'application registry'),
    csrf: new CsrfTokens(config.SESSION_KEY),
    cookie: new SessionCookie(config.PUBLIC_URL),
    clientId: config.OAUTH_CLIENT_ID,
    log: (m) => log('log', m),
  });
  // ended sessions and abandoned sign-ins are deleted hourly (they are refused at once either way)
  const sweeper = setInterval(() => {
    sessions.sweep().catch((err: unknown) => log('error', `session sweep failed: ${(err as Error).message}`));
  }, HOUR_MS);
  sweeper.unref();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('log', `${signal}: stopping`);
    clearInterval(sweeper);
    await server.close();
    await dataSource.destroy();
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

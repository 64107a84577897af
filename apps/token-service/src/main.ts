import 'reflect-metadata';
import { ConfigError, nestLogLevels } from '@latchkey/config';
import { createHttpApp, listenUrl as url, registerOpenApi, serveUntilSignal } from '@latchkey/http';
import { Logger } from '@nestjs/common';
import { tokenOpenApi } from './api/token.routes';
import { AppModule, InternalModule } from './app.module';
import { OAUTH_FORMS } from './oauth/oauth-form';
import { loadTokenServiceConfig, SERVICE_NAME } from './config/token-service.config';
import { TOKEN_ERROR_STATUS } from './domain';
import { startTokenContext } from './token.context';

async function bootstrap(): Promise<void> {
  const log = new Logger('Bootstrap');
  const config = loadTokenServiceConfig();
  Logger.overrideLogger(nestLogLevels(config.LOG_LEVEL));
  const ctx = await startTokenContext(config);
  const options = { statusByCode: TOKEN_ERROR_STATUS, logger: nestLogLevels(config.LOG_LEVEL) };
  // forms for the OAuth endpoints (RFC 6749), which answer a repeated parameter themselves
  const app = await createHttpApp(AppModule.forRoot(ctx), { ...options, acceptForm: OAUTH_FORMS });
  registerOpenApi(app, tokenOpenApi(process.env.npm_package_version ?? '0.1.0'));
  const internal = await createHttpApp(InternalModule.forRoot(ctx), { ...options, acceptForm: true });

  await serveUntilSignal(
    [
      { app, host: config.HOST, port: config.PORT },
      { app: internal, host: config.INTERNAL_HOST, port: config.INTERNAL_PORT },
    ],
    () => ctx.stop(),
    (m) => log.log(m),
  );
  log.log(
    `${SERVICE_NAME} listening on ${url(config.HOST, config.PORT)} (internal: ${url(config.INTERNAL_HOST, config.INTERNAL_PORT)}); API docs at /docs`,
  );
  void ctx.runtime.verifier.ready().then(() => log.log('token projection caught up: ready'));
}

bootstrap().catch((err: unknown) => {
  const logger = new Logger('Bootstrap');
  if (err instanceof ConfigError) logger.error(`${SERVICE_NAME} cannot start. ${err.message}`);
  else logger.error(`${SERVICE_NAME} failed to start`, err instanceof Error ? err.stack : String(err));
  process.exit(1);
});

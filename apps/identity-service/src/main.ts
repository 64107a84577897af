import 'reflect-metadata';
import { ConfigError, nestLogLevels } from '@latchkey/config';
import { createHttpApp, listenUrl as url, registerOpenApi, serveUntilSignal } from '@latchkey/http';
import { Logger } from '@nestjs/common';
import { identityOpenApi } from './api/identity.routes';
import { AppModule, InternalModule } from './app.module';
import { loadIdentityServiceConfig, SERVICE_NAME } from './config/identity-service.config';
import { IDENTITY_ERROR_STATUS } from './domain';
import { startIdentityContext } from './identity.context';

async function bootstrap(): Promise<void> {
  const log = new Logger('Bootstrap');
  const config = loadIdentityServiceConfig();
  Logger.overrideLogger(nestLogLevels(config.LOG_LEVEL));
  const ctx = await startIdentityContext(config);
  const options = { statusByCode: IDENTITY_ERROR_STATUS, logger: nestLogLevels(config.LOG_LEVEL) };

  const app = await createHttpApp(AppModule.forRoot(ctx), options);
  registerOpenApi(app, identityOpenApi(process.env.npm_package_version ?? '0.1.0'));
  const internal = await createHttpApp(InternalModule.forRoot(ctx), options);

  await serveUntilSignal(
    [
      { app, host: config.HOST, port: config.PORT },
      { app: internal, host: config.INTERNAL_HOST, port: config.INTERNAL_PORT },
    ],
    () => ctx.runtime.stop(),
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

import 'reflect-metadata';
import { ConfigError, nestLogLevels } from '@latchkey/config';
import { createHttpApp, listenUrl, registerOpenApi, serveUntilSignal } from '@latchkey/http';
import { Logger } from '@nestjs/common';
import { registryOpenApi } from './api/registry.routes';
import { AppModule } from './app.module';
import { loadApplicationRegistryConfig, SERVICE_NAME } from './config/application-registry.config';
import { REGISTRY_ERROR_STATUS } from './domain';
import { startRegistryContext } from './registry.context';

async function bootstrap(): Promise<void> {
  const log = new Logger('Bootstrap');
  const config = loadApplicationRegistryConfig();
  Logger.overrideLogger(nestLogLevels(config.LOG_LEVEL));
  const ctx = await startRegistryContext(config);
  const app = await createHttpApp(AppModule.forRoot(ctx), {
    statusByCode: REGISTRY_ERROR_STATUS,
    logger: nestLogLevels(config.LOG_LEVEL),
  });
  registerOpenApi(app, registryOpenApi(process.env.npm_package_version ?? '0.1.0'));

  await serveUntilSignal(
    [{ app, host: config.HOST, port: config.PORT }],
    () => ctx.runtime.stop(),
    (m) => log.log(m),
  );
  log.log(`${SERVICE_NAME} listening on ${listenUrl(config.HOST, config.PORT)}; API docs at /docs`);
  void ctx.runtime.verifier.ready().then(() => log.log('token projection caught up: ready'));
}

bootstrap().catch((err: unknown) => {
  const logger = new Logger('Bootstrap');
  if (err instanceof ConfigError) logger.error(`${SERVICE_NAME} cannot start. ${err.message}`);
  else logger.error(`${SERVICE_NAME} failed to start`, err instanceof Error ? err.stack : String(err));
  process.exit(1);
});

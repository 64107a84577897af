import 'reflect-metadata';
import { ConfigError, nestLogLevels } from '@latchkey/config';
import { createHttpApp, registerOpenApi } from '@latchkey/http';
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
  const app = await createHttpApp(AppModule.forRoot(ctx), { statusByCode: REGISTRY_ERROR_STATUS, logger: nestLogLevels(config.LOG_LEVEL) });
  registerOpenApi(app, registryOpenApi(process.env.npm_package_version ?? '0.1.0'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: stopping`);
    await app.close();
    await ctx.runtime.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen(config.PORT, config.HOST);
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  log.log(`${SERVICE_NAME} listening on http://${host}:${config.PORT}; API docs at /docs`);
  void ctx.runtime.verifier.ready().then(() => log.log('token projection caught up: ready'));
}

bootstrap().catch((err: unknown) => {
  const logger = new Logger('Bootstrap');
  if (err instanceof ConfigError) logger.error(`${SERVICE_NAME} cannot start. ${err.message}`);
  else logger.error(`${SERVICE_NAME} failed to start`, err instanceof Error ? err.stack : String(err));
  process.exit(1);
});

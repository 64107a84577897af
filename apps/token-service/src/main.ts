import 'reflect-metadata';
import { ConfigError, nestLogLevels } from '@latchkey/config';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { loadTokenServiceConfig, SERVICE_NAME } from './config/token-service.config';

async function bootstrap(): Promise<void> {
  const config = loadTokenServiceConfig();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    logger: nestLogLevels(config.LOG_LEVEL),
    abortOnError: false, // let bootstrap() report the error and exit 1 instead of process.abort()
  });
  // SIGTERM/SIGINT close the app (onModuleDestroy, onApplicationShutdown hooks) before exiting.
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  new Logger('Bootstrap').log(`${SERVICE_NAME} listening on http://${host}:${config.PORT}`);
}

bootstrap().catch((err: unknown) => {
  const logger = new Logger('Bootstrap');
  if (err instanceof ConfigError) logger.error(`${SERVICE_NAME} cannot start. ${err.message}`);
  else logger.error(`${SERVICE_NAME} failed to start`, err instanceof Error ? err.stack : String(err));
  process.exit(1);
});

import type { DynamicModule, LoggerService } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { configureHttpApp, registerOpenApi } from '@latchkey/http';
import { ServiceTestKit } from '@latchkey/service-runtime/testing';
import { identityOpenApi } from '../api/identity.routes';
import { AppModule, InternalModule } from '../app.module';
import { loadIdentityServiceConfig } from '../config/identity-service.config';
import { IDENTITY_ERROR_STATUS } from '../domain';
import { startIdentityContext, type IdentityContext, type IdentityContextOverrides } from '../identity.context';
import { runMigrations } from '../migrate';

export const INTERNAL_TOKEN = 'test-internal-service-token-0123456789abcdef';
export const ADMIN_EMAIL = 'root@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/**
 * identity-service as its tests see it: the shared ServiceTestKit (fresh database, own topics on
 * the real Kafka, tokens minted as token-service would), and the public and internal apps set
 * up as main.ts sets them up.
 */
export class IdentityHarness extends ServiceTestKit {
  ctx!: IdentityContext;
  app!: NestFastifyApplication;
  internal!: NestFastifyApplication;

  constructor() {
    super('identity');
  }

  /** `logger`: where the apps' logs go (default none; the secrets test captures them). */
  async startService(
    env: Record<string, string> = {},
    overrides: IdentityContextOverrides = {},
    logger: LoggerService | false = false,
  ): Promise<this> {
    await this.start(runMigrations);
    const config = loadIdentityServiceConfig({
      DATABASE_URL: this.db.url,
      INTERNAL_SERVICE_TOKEN: INTERNAL_TOKEN,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    });
    this.ctx = await startIdentityContext(config, { kafka: this.kafka, topics: this.topics, ...overrides });
    this.attach(this.ctx.runtime);
    this.app = await nestApp(AppModule.forRoot(this.ctx), logger);
    registerOpenApi(this.app, identityOpenApi('test'));
    await ready(this.app);
    this.internal = await nestApp(InternalModule.forRoot(this.ctx), logger);
    await ready(this.internal);
    await this.ctx.runtime.verifier.ready();
    return this;
  }

  async stopService(): Promise<void> {
    await this.app?.close();
    await this.internal?.close();
    await this.ctx?.runtime.stop();
    await this.stop();
  }

  /** The bootstrap admin's id, the directory account, and a token with `scopes` there. */
  async admin(
    scopes: string[] = ['accounts:*', 'users:*'],
  ): Promise<{ userId: string; accountId: string; token: string }> {
    const userId = (await this.ctx.queries.userIdByEmail(ADMIN_EMAIL)) as string;
    const accountId = (await this.ctx.queries.user(userId))!.homeAccountId;
    await this.waitForOwnEvents();
    return { userId, accountId, token: await this.tokenFor(userId, [accountId], scopes) };
  }
}

async function nestApp(module: DynamicModule, logger: LoggerService | false): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 64 * 1024 }), {
    logger,
  });
  return configureHttpApp(app, { statusByCode: IDENTITY_ERROR_STATUS });
}

async function ready(app: NestFastifyApplication): Promise<void> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
}

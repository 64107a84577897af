import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { configureHttpApp, registerOpenApi } from '@latchkey/http';
import { ServiceTestKit } from '@latchkey/service-runtime/testing';
import { registryOpenApi } from '../api/registry.routes';
import { AppModule } from '../app.module';
import { loadApplicationRegistryConfig } from '../config/application-registry.config';
import { REGISTRY_ERROR_STATUS } from '../domain';
import { runMigrations } from '../migrate';
import { startRegistryContext, type RegistryContext, type RegistryContextOverrides } from '../registry.context';

/**
 * application-registry as its tests see it: the shared ServiceTestKit (fresh database, own topics
 * on the real Kafka, tokens and identity events published as the other services would) and the
 * app set up as main.ts sets it up.
 */
export class RegistryHarness extends ServiceTestKit {
  ctx!: RegistryContext;
  app!: NestFastifyApplication;

  constructor() {
    super('registry');
  }

  /** `logger`: where the app's logs go (default none; the secrets test captures them). */
  async startService(
    env: Record<string, string> = {},
    overrides: RegistryContextOverrides = {},
    logger: LoggerService | false = false,
  ): Promise<this> {
    await this.start(runMigrations);
    this.ctx = await startRegistryContext(loadApplicationRegistryConfig({ DATABASE_URL: this.db.url, ...env }), {
      kafka: this.kafka,
      topics: this.topics,
      ...overrides,
    });
    this.attach(this.ctx.runtime);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(this.ctx)] }).compile();
    this.app = configureHttpApp(
      moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 64 * 1024 }), { logger }),
      { statusByCode: REGISTRY_ERROR_STATUS },
    );
    registerOpenApi(this.app, registryOpenApi('test'));
    await this.app.init();
    await this.app.getHttpAdapter().getInstance().ready();
    await this.ctx.runtime.verifier.ready();
    return this;
  }

  async stopService(): Promise<void> {
    await this.app?.close();
    await this.ctx?.runtime.stop();
    await this.stop();
  }

  /**
   * An account administrator as identity-service would publish it (UserRegistered +
   * MembershipChanged with `permissions` in `accountId`), and a token of theirs with `scopes`.
   */
  async adminIn(
    accountId: string,
    permissions: string[],
    scopes: string[] = ['applications:*'],
  ): Promise<{ userId: string; token: string }> {
    const userId = randomUUID();
    await this.publish(this.topics.identity, [
      this.factory.event('UserRegistered', userId, {
        userId,
        kind: 'human',
        email: `${userId}@example.com`,
        displayName: 'Admin',
        accountIds: [accountId],
      }),
      this.factory.event('MembershipChanged', userId, { userId, accountId, roles: ['account_admin'], permissions }),
    ]);
    return { userId, token: await this.tokenFor(userId, [accountId], scopes) };
  }
}

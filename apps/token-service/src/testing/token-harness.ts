import { randomUUID } from 'node:crypto';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { configureHttpApp, registerOpenApi, type HttpAppOptions } from '@latchkey/http';
import { ServiceTestKit } from '@latchkey/service-runtime/testing';
import type { ApplicationRegisteredData } from '@latchkey/contracts';
import { hashSecret } from '@latchkey/token-format';
import { uniqueTopic, waitFor } from '@latchkey/testing';
import { tokenOpenApi } from '../api/token.routes';
import { AppModule, InternalModule } from '../app.module';
import { OAUTH_FORMS } from '../oauth/oauth-form';
import { loadTokenServiceConfig } from '../config/token-service.config';
import { TOKEN_ERROR_STATUS } from '../domain';
import type { OAuthClient } from '../oauth/clients/oauth-client';
import { runMigrations } from '../migrate';
import { startTokenContext, type TokenContext, type TokenContextOverrides } from '../token.context';

export const INTERNAL_TOKEN = 'test-internal-service-token-0123456789abcdef';

/**
 * token-service as its tests see it: the shared ServiceTestKit (fresh database, own topics on
 * the real Kafka, identity events published as identity-service would), and the public and
 * internal apps set up as main.ts sets them up.
 */
export class TokenHarness extends ServiceTestKit {
  readonly usageTopic = uniqueTopic('token-usage');
  ctx!: TokenContext;
  app!: NestFastifyApplication;
  internal!: NestFastifyApplication;

  constructor() {
    super('tokens');
  }

  async startService(
    env: Record<string, string> = {},
    overrides: TokenContextOverrides = {},
    logger: LoggerService | false = false,
  ): Promise<this> {
    await this.start(runMigrations);
    const config = loadTokenServiceConfig({
      DATABASE_URL: this.db.url,
      INTERNAL_SERVICE_TOKEN: INTERNAL_TOKEN,
      ...env,
    });
    this.ctx = await startTokenContext(config, {
      kafka: this.kafka,
      topics: { ...this.topics, usage: this.usageTopic },
      ...overrides,
    });
    this.attach(this.ctx.runtime);
    this.app = await nestApp(AppModule.forRoot(this.ctx), logger, OAUTH_FORMS);
    registerOpenApi(this.app, tokenOpenApi('test'));
    await ready(this.app);
    this.internal = await nestApp(InternalModule.forRoot(this.ctx), logger, true);
    await ready(this.internal);
    await this.ctx.runtime.verifier.ready();
    return this;
  }

  async stopService(): Promise<void> {
    await this.app?.close();
    await this.internal?.close();
    await this.ctx?.stop();
    await this.stop();
  }

  /** An account as identity-service would publish it (AccountCreated), once token-service knows its name. */
  async account(accountId: string, name: string): Promise<void> {
    await this.publish(this.topics.identity, [
      this.factory.event('AccountCreated', accountId, { accountId, name, kind: 'standard' }),
    ]);
    await waitFor(async () => (await this.ctx.queries.accountNames([accountId]))[accountId] === name, {
      what: `account ${accountId} in the directory`,
    });
  }

  /**
   * A user as identity-service would publish them (UserRegistered + MembershipChanged per
   * account), applied by token-service's directory projection.
   */
  async user(kind: 'human' | 'api' | 'contact', permissions: Record<string, string[]>): Promise<string> {
    const userId = randomUUID();
    const accounts = Object.keys(permissions);
    await this.publish(this.topics.identity, [
      this.factory.event('UserRegistered', userId, {
        userId,
        kind,
        ...(kind === 'api' ? {} : { email: `${userId}@example.com` }),
        displayName: kind,
        accountIds: accounts,
      }),
      ...accounts.map((accountId) =>
        this.factory.event('MembershipChanged', userId, {
          userId,
          accountId,
          roles: ['role'],
          permissions: permissions[accountId],
        }),
      ),
    ]);
    await this.directoryHas(userId, accounts.length);
    return userId;
  }

  /** Waits until token-service's directory projection shows the user with `memberships` accounts. */
  /**
   * Applications as the registry would publish them (ApplicationRegistered; a confidential one's
   * secret is `secret`, hashed), returned once token-service's client read model has every one.
   */
  async applications(
    ...specs: Array<Partial<ApplicationRegisteredData> & { ownerAccountId: string; secret?: string }>
  ): Promise<OAuthClient[]> {
    const events = specs.map(({ secret, ...over }) => {
      const clientId = over.clientId ?? randomUUID();
      const type = over.clientType ?? 'confidential';
      return this.factory.event('ApplicationRegistered', clientId, {
        name: 'Reports',
        clientType: type,
        redirectUris: ['https://reports.example.com/callback'],
        grantTypes: ['authorization_code', 'refresh_token'],
        allowedScopes: ['orders:read', 'orders:update'],
        accountIds: [over.ownerAccountId],
        accessTokenTtlSeconds: 3600,
        refreshTokenTtlSeconds: 1_209_600,
        firstParty: false,
        ...(type === 'confidential' ? { secretHash: hashSecret(secret ?? 'lk_cs_test') } : {}),
        ...over,
        clientId,
      });
    });
    await this.publish(this.topics.applications, events);
    return Promise.all(
      events.map((e) => {
        const { clientId } = e.data as ApplicationRegisteredData;
        return waitFor(() => this.ctx.clients.find(clientId), {
          what: `application ${clientId} in the client read model`,
        });
      }),
    );
  }

  async directoryHas(userId: string, memberships: number): Promise<void> {
    await waitFor(
      async () => Object.keys((await this.ctx.queries.user(userId))?.permissions ?? {}).length === memberships,
      { what: `directory to show ${userId}` },
    );
  }
}

async function nestApp(
  module: DynamicModule,
  logger: LoggerService | false,
  acceptForm: HttpAppOptions['acceptForm'],
): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 64 * 1024 }), {
    logger,
  });
  return configureHttpApp(app, { statusByCode: TOKEN_ERROR_STATUS, acceptForm });
}

async function ready(app: NestFastifyApplication): Promise<void> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
}

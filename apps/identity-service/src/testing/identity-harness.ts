import { randomUUID } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Kafka } from 'kafkajs';
import type { LatchkeyEvent } from '@latchkey/contracts';
import { configureHttpApp, registerOpenApi } from '@latchkey/http';
import { EventProducer, ensureTopics } from '@latchkey/messaging';
import { createEmptyDatabase, deleteTestTopics, testKafka, uniqueTopic, type EmptyDatabase } from '@latchkey/testing';
import { EventFactory } from '@latchkey/token-verifier/testing';
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
 * identity-service as its tests see it: a fresh database, topics of its own on the real Kafka,
 * the public and internal apps (same setup as main.ts), and a way to mint bearer tokens by
 * publishing TokenIssued as token-service would.
 */
export class IdentityHarness {
  readonly kafka: Kafka = testKafka('identity-test');
  readonly topics = { identity: uniqueTopic('identity'), tokens: uniqueTopic('tokens'), applications: uniqueTopic('applications') };
  readonly factory = new EventFactory();
  db!: EmptyDatabase;
  ctx!: IdentityContext;
  app!: NestFastifyApplication;
  internal!: NestFastifyApplication;
  private producer!: EventProducer;

  async start(env: Record<string, string> = {}, overrides: IdentityContextOverrides = {}): Promise<this> {
    this.db = await createEmptyDatabase();
    await runMigrations(this.db.url);
    await ensureTopics(this.kafka, Object.values(this.topics).map((topic) => ({ topic, withDlq: false })));
    this.producer = new EventProducer(this.kafka);
    await this.producer.connect();
    const config = loadIdentityServiceConfig({
      DATABASE_URL: this.db.url,
      INTERNAL_SERVICE_TOKEN: INTERNAL_TOKEN,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    });
    this.ctx = await startIdentityContext(config, { kafka: this.kafka, topics: this.topics, ...overrides });
    this.app = await this.nestApp(AppModule.forRoot(this.ctx));
    registerOpenApi(this.app, identityOpenApi('test'));
    await this.ready(this.app);
    this.internal = await this.nestApp(InternalModule.forRoot(this.ctx));
    await this.ready(this.internal);
    await this.ctx.runtime.verifier.ready();
    return this;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.internal?.close();
    await this.ctx?.runtime.stop();
    await this.producer?.disconnect();
    await deleteTestTopics(this.kafka);
    await this.db?.drop();
  }

  /** Publishes events as their owning service would (e.g. TokenIssued from token-service). */
  async publish(topic: string, events: LatchkeyEvent[]): Promise<void> {
    await this.producer.publish(events.map((envelope) => ({ topic, envelope })));
  }

  /**
   * A PAT for `userId` in `accountIds` with `scopes`, published to the tokens topic, and the
   * verifier caught up with it. Effective scopes stay token scopes ∩ the user's permissions.
   */
  async tokenFor(userId: string, accountIds: string[], scopes: string[]): Promise<string> {
    const pat = this.factory.pat(userId, { accountIds, scopes });
    await this.publish(this.topics.tokens, [pat.issued]);
    await this.ctx.runtime.verifier.catchUp();
    return pat.token;
  }

  /** Waits until the verifier has applied everything published so far (e.g. this service's own events via the outbox). */
  async caughtUp(): Promise<void> {
    await this.ctx.runtime.verifier.catchUp();
  }

  get directoryId(): string {
    return this.directory;
  }

  private directory = '';

  /** The bootstrap admin's id and a token with every scope in the directory account. */
  async admin(scopes: string[] = ['accounts:*', 'users:*']): Promise<{ userId: string; accountId: string; token: string }> {
    const userId = (await this.ctx.queries.userIdByEmail(ADMIN_EMAIL)) as string;
    const user = await this.ctx.queries.user(userId);
    this.directory = user!.homeAccountId;
    await this.waitForOwnEvents();
    return { userId, accountId: this.directory, token: await this.tokenFor(userId, [this.directory], scopes) };
  }

  /** Waits until the outbox is empty, i.e. this service's events are on Kafka. */
  async waitForOwnEvents(): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Number((await this.ctx.runtime.dataSource.query('SELECT count(*) AS n FROM outbox'))[0].n) > 0) {
      if (Date.now() > deadline) throw new Error('outbox not drained within 20 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.caughtUp();
  }

  private async nestApp(module: DynamicModule): Promise<NestFastifyApplication> {
    const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: 64 * 1024 }), { logger: false });
    return configureHttpApp(app, { statusByCode: IDENTITY_ERROR_STATUS });
  }

  private async ready(app: NestFastifyApplication): Promise<void> {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
}

export const newId = (): string => randomUUID();

import 'reflect-metadata';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '../app/create-http-app';
import { readinessController } from './readiness.controller';

const CONTEXT = Symbol('CONTEXT');
const state = { ready: false, liveTokens: 3 };

@Module({
  controllers: [readinessController(CONTEXT, (c: typeof state) => c)],
  providers: [{ provide: CONTEXT, useValue: state }],
})
class TestModule {}

describe('readinessController', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createHttpApp(TestModule, { logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('answers 503 not_ready, then 200 with the details once ready', async () => {
    const before = await app.inject({ method: 'GET', url: '/readyz' });
    expect([before.statusCode, before.json().code]).toEqual([503, 'not_ready']);
    state.ready = true;
    const after = await app.inject({ method: 'GET', url: '/readyz' });
    expect([after.statusCode, after.json()]).toEqual([200, { status: 'ready', liveTokens: 3 }]);
  });
});

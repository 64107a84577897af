import { Module, type DynamicModule } from '@nestjs/common';
import { healthController, readinessController } from '@latchkey/http';
import { LatchkeyAuthModule } from '@latchkey/token-verifier/nest';
import { ApplicationsController } from './applications/applications.controller';
import { APPLICATION_REGISTRY_CONFIG, SERVICE_NAME } from './config/application-registry.config';
import { REGISTRY_CONTEXT, type RegistryContext } from './registry.context';

/** /healthz: liveness. */
const HealthController = healthController(SERVICE_NAME);

/** /readyz: ready once the token verifier has caught up with the topics. */
const ReadinessController = readinessController(REGISTRY_CONTEXT, (ctx: RegistryContext) => ctx.runtime.readiness());

@Module({})
export class AppModule {
  /** The root module: the context (and its config) injectable everywhere. */
  static forRoot(ctx: RegistryContext): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [LatchkeyAuthModule.forRoot({ verifier: ctx.runtime.verifier })],
      controllers: [HealthController, ReadinessController, ApplicationsController],
      providers: [
        { provide: REGISTRY_CONTEXT, useValue: ctx },
        { provide: APPLICATION_REGISTRY_CONFIG, useValue: ctx.config },
      ],
      exports: [REGISTRY_CONTEXT, APPLICATION_REGISTRY_CONFIG],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { APPLICATION_REGISTRY_CONFIG, type ApplicationRegistryConfig } from './config/application-registry.config';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  /** The root module; the validated config is injectable everywhere as APPLICATION_REGISTRY_CONFIG. */
  static forRoot(config: ApplicationRegistryConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      controllers: [HealthController],
      providers: [{ provide: APPLICATION_REGISTRY_CONFIG, useValue: config }],
      exports: [APPLICATION_REGISTRY_CONFIG],
    };
  }
}

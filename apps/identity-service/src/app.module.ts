import { Module, type DynamicModule } from '@nestjs/common';
import { IDENTITY_SERVICE_CONFIG, type IdentityServiceConfig } from './config/identity-service.config';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  /** The root module; the validated config is injectable everywhere as IDENTITY_SERVICE_CONFIG. */
  static forRoot(config: IdentityServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      controllers: [HealthController],
      providers: [{ provide: IDENTITY_SERVICE_CONFIG, useValue: config }],
      exports: [IDENTITY_SERVICE_CONFIG],
    };
  }
}

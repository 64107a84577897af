import { Module, type DynamicModule } from '@nestjs/common';
import { TOKEN_SERVICE_CONFIG, type TokenServiceConfig } from './config/token-service.config';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  /** The root module; the validated config is injectable everywhere as TOKEN_SERVICE_CONFIG. */
  static forRoot(config: TokenServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      controllers: [HealthController],
      providers: [{ provide: TOKEN_SERVICE_CONFIG, useValue: config }],
      exports: [TOKEN_SERVICE_CONFIG],
    };
  }
}

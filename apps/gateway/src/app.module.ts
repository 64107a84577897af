import { Module, type DynamicModule } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  /** The root module; the validated config is injectable everywhere as GATEWAY_CONFIG. */
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      controllers: [HealthController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}

import { Controller, Get, type Type } from '@nestjs/common';

/** `GET /healthz`: liveness — the process runs and serves HTTP (`{ status: 'ok', service }`). */
export function healthController(service: string): Type<unknown> {
  @Controller('healthz')
  class HealthController {
    @Get()
    check() {
      return { status: 'ok', service };
    }
  }
  return HealthController;
}

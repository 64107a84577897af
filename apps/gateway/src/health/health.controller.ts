import { Controller, Get } from '@nestjs/common';
import { SERVICE_NAME } from '../config/gateway.config';

export interface Health {
  status: 'ok';
  service: string;
}

@Controller('healthz')
export class HealthController {
  /** Liveness: the process runs and serves HTTP. */
  @Get()
  check(): Health {
    return { status: 'ok', service: SERVICE_NAME };
  }
}

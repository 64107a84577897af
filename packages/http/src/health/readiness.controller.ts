import { Controller, Get, Inject, type Type } from '@nestjs/common';
import { HttpProblem } from '../problem/problem';

export interface Readiness {
  ready: boolean;
  [detail: string]: unknown;
}

/**
 * A `/readyz` controller for a service whose context (provided under `contextToken`) can say
 * whether it is ready: 200 `{ status: 'ready', ...details }`, or 503 problem+json `not_ready`
 * while, e.g., its token projection is still catching up with Kafka.
 */
export function readinessController<C>(
  contextToken: symbol | string,
  readinessOf: (context: C) => Readiness,
  notReadyDetail = 'The token projection is still catching up with Kafka.',
): Type<unknown> {
  @Controller('readyz')
  class ReadinessController {
    constructor(@Inject(contextToken) private readonly context: C) {}

    @Get()
    check() {
      const { ready, ...details } = readinessOf(this.context);
      if (!ready) throw new HttpProblem(503, 'not_ready', notReadyDetail);
      return { status: 'ready', ...details };
    }
  }
  return ReadinessController;
}

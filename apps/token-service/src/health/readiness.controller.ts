import { Controller, Get, Inject } from '@nestjs/common';
import { HttpProblem } from '@latchkey/http';
import { TOKEN_CONTEXT, type TokenContext } from '../token.context';

@Controller('readyz')
export class ReadinessController {
  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {}

  /** Ready once the token verifier has caught up (before that, protected routes answer 503). */
  @Get()
  check() {
    const { ready, ...rest } = this.ctx.runtime.readiness();
    if (!ready) throw new HttpProblem(503, 'not_ready', 'The token projection is still catching up with Kafka.');
    return { status: 'ready', ...rest };
  }
}

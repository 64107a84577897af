import type { ServiceRuntime } from '@latchkey/service-runtime';
import { tokenPolicyDecider, tokenPolicyStream, type SetTokenPolicy } from '../domain';
import { projectTokenEvents } from '../read-model/token.projection';

/** The account token policy use case (load → decide → append + read model, one transaction). */
export class PolicyCommands {
  constructor(private readonly runtime: ServiceRuntime) {}

  async set(command: Omit<SetTokenPolicy, 'type'>, actor: string): Promise<void> {
    await this.runtime.runner.run(
      tokenPolicyDecider,
      { type: 'SetTokenPolicy', ...command },
      {
        stream: tokenPolicyStream(command.accountId),
        actor,
        project: (m, envelopes) => projectTokenEvents(m, envelopes),
      },
    );
  }
}

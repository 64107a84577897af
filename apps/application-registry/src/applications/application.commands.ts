import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DIRECTORY_ACCOUNT_ID } from '@latchkey/domain';
import { fold } from '@latchkey/eventstore';
import type { ServiceRuntime } from '@latchkey/service-runtime';
import { generateSecret, hashSecret } from '@latchkey/token-format';
import {
  applicationDecider,
  applicationStream,
  type ApplicationChanges,
  type ApplicationCommand,
  type ApplicationState,
  type Limits,
  type RegisterApplication,
  type Registrant,
} from '../domain';
import { projectApplicationEvents } from '../read-model/applications.projection';

export type RegisterInput = Omit<RegisterApplication, 'type' | 'clientId' | 'secretHash' | 'registrant' | 'limits'>;

/**
 * The application use cases: load the stream → decide → append + outbox + read model, in one
 * transaction. Client secrets are generated here, returned to the caller exactly once, and only
 * their SHA-256 goes into the command (and so into the event); the secret itself is never stored.
 */
export class ApplicationCommands {
  private readonly log = new Logger('applications');

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly limits: Limits,
    private readonly clock: () => Date,
  ) {}

  /** Registers an application; answers its client id and, for confidential clients, the secret (shown once). */
  async register(
    input: RegisterInput,
    registrant: Registrant,
    actor: string,
  ): Promise<{ clientId: string; clientSecret: string | null }> {
    const clientId = randomUUID();
    const clientSecret = input.clientType === 'confidential' ? generateSecret('cs') : null;
    await this.run(
      clientId,
      {
        type: 'RegisterApplication',
        ...input,
        clientId,
        secretHash: clientSecret === null ? null : hashSecret(clientSecret),
        registrant,
        limits: this.limits,
      },
      actor,
    );
    this.log.log(
      `registered ${input.clientType} application ${clientId} for account ${input.ownerAccountId} by ${actor}`,
    );
    return { clientId, clientSecret };
  }

  /**
   * The console's registration, made at every start (idempotent; see RegisterConsole): answers
   * what it did. Two instances starting at once are serialised by the stream's lock.
   */
  async registerConsole(clientId: string, redirectUri: string): Promise<'registered' | 'updated' | 'unchanged'> {
    const events = await this.run(
      clientId,
      {
        type: 'RegisterConsole',
        clientId,
        ownerAccountId: DIRECTORY_ACCOUNT_ID,
        redirectUris: [redirectUri],
        limits: this.limits,
      },
      'bootstrap',
    );
    const outcome =
      events.length === 0 ? 'unchanged' : events[0].type === 'ApplicationRegistered' ? 'registered' : 'updated';
    if (outcome !== 'unchanged')
      this.log.log(`${outcome} the console's client ${clientId} (redirect URI ${redirectUri})`);
    return outcome;
  }

  async update(clientId: string, changes: ApplicationChanges, registrant: Registrant, actor: string): Promise<void> {
    await this.run(clientId, { type: 'UpdateApplication', changes, registrant, limits: this.limits }, actor);
  }

  /** A new secret (shown once); the previous one keeps working for the overlap. */
  async rotateSecret(
    clientId: string,
    overlapSeconds: number | undefined,
    actor: string,
  ): Promise<{ clientSecret: string; previousSecretValidUntil: string | null }> {
    const clientSecret = generateSecret('cs');
    const result = await this.run(
      clientId,
      {
        type: 'RotateSecret',
        secretHash: hashSecret(clientSecret),
        overlapSeconds,
        now: this.clock().toISOString(),
        limits: this.limits,
      },
      actor,
    );
    const rotated = result.find((e) => e.type === 'ApplicationSecretRotated');
    this.log.log(`rotated the secret of application ${clientId} by ${actor}`);
    return {
      clientSecret,
      previousSecretValidUntil:
        (rotated?.data as { previousSecretValidUntil: string | null } | undefined)?.previousSecretValidUntil ?? null,
    };
  }

  async disable(clientId: string, reason: string | undefined, actor: string): Promise<void> {
    await this.run(clientId, { type: 'DisableApplication', reason: reason ?? null }, actor);
    this.log.log(`disabled application ${clientId} by ${actor}`);
  }

  enable(clientId: string, actor: string): Promise<unknown> {
    return this.run(clientId, { type: 'EnableApplication' }, actor);
  }

  async delete(clientId: string, actor: string): Promise<void> {
    await this.run(clientId, { type: 'DeleteApplication' }, actor);
    this.log.log(`deleted application ${clientId} by ${actor}`);
  }

  /** The application's state folded from its events (e.g. to check a client secret, as token-service does). */
  async state(clientId: string): Promise<ApplicationState> {
    const history = (await this.runtime.store.load(clientId)).filter((e) => e.aggregateType === 'application');
    return fold(applicationDecider, history as never);
  }

  private async run(clientId: string, command: ApplicationCommand, actor: string) {
    const { envelopes } = await this.runtime.runner.run(applicationDecider, command, {
      stream: applicationStream(clientId),
      actor,
      project: (manager, events) => projectApplicationEvents(manager, events),
    });
    return envelopes;
  }
}

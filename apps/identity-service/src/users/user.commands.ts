import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { fold, isUniqueViolation } from '@latchkey/eventstore';
import { HttpProblem } from '@latchkey/http';
import type { ServiceRuntime } from '@latchkey/service-runtime';
import type { EntityManager } from 'typeorm';
import { checkPasswordPolicy, type CredentialStore, type PasswordHasher } from '../credentials';
import {
  IdentityError,
  assertCanHavePassword,
  normalizeEmail,
  userDecider,
  userStream,
  type RoleCatalogue,
  type UserCommand,
  type UserState,
} from '../domain';
import { projectIdentityEvents } from '../read-model/identity.projection';
import type { IdentityQueries, UserView } from '../read-model/identity.queries';

export interface RegisterUserInput {
  accountId: string;
  kind: 'human' | 'api' | 'contact';
  email?: string;
  displayName: string;
  roles: string[];
  password?: string;
  /** Fixed id (bootstrap); default a new UUID. */
  userId?: string;
}

/**
 * The user use cases: each loads the user's stream, lets the decider decide, appends and updates
 * the read models in one transaction (the outbox row goes with it). Facts from other aggregates
 * (the account exists, the e-mail is free) are read first and handed to the decider.
 */
export class UserCommands {
  private readonly log = new Logger('users');

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly queries: IdentityQueries,
    private readonly catalogue: RoleCatalogue,
    private readonly hasher: PasswordHasher,
    private readonly credentials: CredentialStore,
  ) {}

  async register(input: RegisterUserInput, actor: string): Promise<UserView> {
    if (!(await this.queries.account(input.accountId)))
      throw new IdentityError('ACCOUNT_NOT_FOUND', 'account not found');
    if (input.password !== undefined && input.kind === 'api')
      throw new IdentityError('PASSWORD_NOT_ALLOWED_FOR_KIND', 'api users never log in and have no password');
    const passwordHash = input.password === undefined ? null : await this.hashChecked(input.password);
    const email = input.email === undefined ? undefined : normalizeEmail(input.email);
    const emailTaken = email !== undefined && (await this.queries.userIdByEmail(email)) !== null;
    const userId = input.userId ?? randomUUID();
    try {
      await this.runtime.dataSource.transaction(async (manager) => {
        await this.decide(
          manager,
          userId,
          {
            type: 'RegisterUser',
            userId,
            kind: input.kind,
            email,
            displayName: input.displayName,
            accountId: input.accountId,
            roles: input.roles,
            emailTaken,
            catalogue: this.catalogue,
          },
          actor,
        );
        if (passwordHash !== null) await this.credentials.setPassword(userId, passwordHash, manager);
      });
    } catch (err) {
      // two registrations racing for one e-mail: the read model's unique index stops the second
      if (
        isUniqueViolation(err) &&
        String(
          (err as { constraint?: string }).constraint ??
            (err as { driverError?: { constraint?: string } }).driverError?.constraint,
        ).includes('users_email_key')
      ) {
        throw new IdentityError('EMAIL_TAKEN', 'the e-mail address is taken');
      }
      throw err;
    }
    this.log.log(`registered ${input.kind} user ${userId} in account ${input.accountId} by ${actor}`);
    return (await this.queries.userInAccount(userId, input.accountId)) as UserView;
  }

  /** Sets the roles of a user in an account (adds the membership if new; [] removes it). */
  async changeMembership(accountId: string, userId: string, roles: string[], actor: string): Promise<void> {
    if (!(await this.queries.account(accountId))) throw new IdentityError('ACCOUNT_NOT_FOUND', 'account not found');
    await this.runtime.dataSource.transaction((manager) =>
      this.decide(manager, userId, { type: 'ChangeMembership', accountId, roles, catalogue: this.catalogue }, actor),
    );
  }

  /**
   * Resolves the user's current roles again in every account (the role catalogue may have grown a
   * permission since they were granted, e.g. after an upgrade). Appends nothing when nothing
   * changed; never changes the roles themselves.
   */
  async refreshPermissions(userId: string, actor: string): Promise<number> {
    const state = await this.state(userId);
    if (state.status !== 'active') return 0;
    let changed = 0;
    for (const [accountId, membership] of Object.entries(state.memberships)) {
      const before = membership.permissions.join(' ');
      await this.changeMembership(accountId, userId, membership.roles, actor);
      if (this.catalogue.resolve(membership.roles).join(' ') !== before) changed++;
    }
    return changed;
  }

  async deactivate(userId: string, reason: string, actor: string): Promise<void> {
    await this.runtime.dataSource.transaction((manager) =>
      this.decide(manager, userId, { type: 'DeactivateUser', reason }, actor),
    );
    this.log.log(`deactivated user ${userId} by ${actor}`);
  }

  async reactivate(userId: string, actor: string): Promise<void> {
    await this.runtime.dataSource.transaction((manager) =>
      this.decide(manager, userId, { type: 'ReactivateUser' }, actor),
    );
  }

  /** Sets a password (admins, or the user after checking the current one). Not an event: hashes never enter the log. */
  async setPassword(userId: string, password: string): Promise<void> {
    assertCanHavePassword(await this.state(userId));
    await this.credentials.setPassword(userId, await this.hashChecked(password));
    this.log.log(`password set for user ${userId}`);
  }

  async state(userId: string, manager?: EntityManager): Promise<UserState> {
    const history = await this.runtime.store.load(userId, manager);
    return fold(userDecider, history.filter((e) => e.aggregateType === 'user') as never);
  }

  private async decide(manager: EntityManager, userId: string, command: UserCommand, actor: string): Promise<void> {
    await this.runtime.runner.runIn(manager, userDecider, command, {
      stream: userStream(userId),
      actor,
      project: (m, envelopes) => projectIdentityEvents(m, envelopes),
    });
  }

  private async hashChecked(password: string): Promise<string> {
    const violation = checkPasswordPolicy(password);
    if (violation)
      throw new HttpProblem(422, violation.code.toLowerCase(), violation.message, { title: 'Password refused' });
    return this.hasher.hash(password);
  }
}

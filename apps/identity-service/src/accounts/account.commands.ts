import { randomUUID } from 'node:crypto';
import { fold } from '@latchkey/eventstore';
import type { ServiceRuntime } from '@latchkey/service-runtime';
import type { EntityManager } from 'typeorm';
import {
  accountDecider,
  accountStream,
  requireAccount,
  userDecider,
  userStream,
  type AccountState,
  type RoleCatalogue,
  type UserState,
} from '../domain';
import { projectIdentityEvents } from '../read-model/identity.projection';

/** The account use cases (load → decide → append + read models, one transaction). */
export class AccountCommands {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly catalogue: RoleCatalogue,
  ) {}

  /** A directory account (bootstrap only: the organisation). */
  async createDirectory(accountId: string, name: string, actor: string): Promise<void> {
    await this.runtime.dataSource.transaction((manager) =>
      this.create(manager, { accountId, name, kind: 'directory', parent: null }, actor),
    );
  }

  /**
   * A standard account under a directory account. A human creator becomes its account_admin in
   * the same transaction, so the account is never without an administrator.
   */
  async createStandard(
    parentAccountId: string,
    name: string,
    creatorUserId: string | null,
    actor: string,
  ): Promise<string> {
    const accountId = randomUUID();
    await this.runtime.dataSource.transaction(async (manager) => {
      const parent = requireAccount(parentAccountId, await this.accountState(parentAccountId, manager));
      await this.create(manager, { accountId, name, kind: 'standard', parent }, actor);
      if (creatorUserId === null) return;
      const creator = await this.userState(creatorUserId, manager);
      if (creator.status !== 'active' || creator.kind !== 'human') return;
      await this.runtime.runner.runIn(
        manager,
        userDecider,
        { type: 'ChangeMembership', accountId, roles: ['account_admin'], catalogue: this.catalogue },
        {
          stream: userStream(creatorUserId),
          actor,
          project: (m, envelopes) => projectIdentityEvents(m, envelopes),
        },
      );
    });
    return accountId;
  }

  private async create(
    manager: EntityManager,
    command: {
      accountId: string;
      name: string;
      kind: 'directory' | 'standard';
      parent: { accountId: string; kind: 'directory' | 'standard' } | null;
    },
    actor: string,
  ): Promise<void> {
    await this.runtime.runner.runIn(
      manager,
      accountDecider,
      { type: 'CreateAccount', ...command },
      {
        stream: accountStream(command.accountId),
        actor,
        project: (m, envelopes) => projectIdentityEvents(m, envelopes),
      },
    );
  }

  private async accountState(accountId: string, manager: EntityManager): Promise<AccountState> {
    return fold(
      accountDecider,
      (await this.runtime.store.load(accountId, manager)).filter((e) => e.aggregateType === 'account') as never,
    );
  }

  private async userState(userId: string, manager: EntityManager): Promise<UserState> {
    return fold(
      userDecider,
      (await this.runtime.store.load(userId, manager)).filter((e) => e.aggregateType === 'user') as never,
    );
  }
}

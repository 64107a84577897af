import type { AccountCreatedData, AccountKind } from '@latchkey/contracts';
import type { Decider, DomainEvent, StreamRef } from '@latchkey/eventstore';
import { IdentityError } from '../identity-error';
import { requireText } from '../text';

/** Aggregate type of an account's stream; the stream id is the account id. */
export const ACCOUNT_AGGREGATE = 'account';

export function accountStream(accountId: string): StreamRef {
  return { type: ACCOUNT_AGGREGATE, id: accountId };
}

export type AccountState =
  | { status: 'none' }
  | { status: 'active'; accountId: string; name: string; kind: AccountKind; parentAccountId: string | null };

/** What the handler read about an existing account (see {@link requireAccount}). */
export interface AccountRef {
  accountId: string;
  kind: AccountKind;
}

export type CreateAccount = {
  type: 'CreateAccount';
  accountId: string;
  name: string;
  kind: AccountKind;
  /** The parent account as the handler read it; required for `standard`, absent for `directory`. */
  parent?: AccountRef | null;
};

export type AccountCommand = CreateAccount;

export type AccountCreated = DomainEvent<'AccountCreated', AccountCreatedData>;
export type AccountEvent = AccountCreated;

const ACCOUNT_NAME_MAX_LENGTH = 200;

/**
 * Turns the folded state of another account into the fact a command needs (e.g. the parent of a
 * new account, or the account of a membership). Throws ACCOUNT_NOT_FOUND when it does not exist.
 */
export function requireAccount(accountId: string, state: AccountState): AccountRef {
  if (state.status === 'none')
    throw new IdentityError('ACCOUNT_NOT_FOUND', `account ${JSON.stringify(accountId)} not found`);
  return { accountId: state.accountId, kind: state.kind };
}

function decideCreate(command: CreateAccount, state: AccountState): AccountEvent[] {
  if (state.status !== 'none')
    throw new IdentityError('ACCOUNT_EXISTS', `account ${JSON.stringify(command.accountId)} already exists`);
  const name = requireText(command.name, 'name', ACCOUNT_NAME_MAX_LENGTH, 'NAME_INVALID');
  const parent = command.parent ?? null;
  if (command.kind === 'directory') {
    if (parent !== null) throw new IdentityError('PARENT_NOT_ALLOWED', 'a directory account has no parent');
    return [{ type: 'AccountCreated', data: { accountId: command.accountId, name, kind: 'directory' } }];
  }
  if (parent === null)
    throw new IdentityError('PARENT_REQUIRED', 'a standard account needs a parent directory account');
  if (parent.kind !== 'directory') {
    throw new IdentityError(
      'PARENT_NOT_DIRECTORY',
      `parent account ${JSON.stringify(parent.accountId)} is not a directory account`,
    );
  }
  return [
    {
      type: 'AccountCreated',
      data: { accountId: command.accountId, name, kind: 'standard', parentAccountId: parent.accountId },
    },
  ];
}

export const accountDecider: Decider<AccountCommand, AccountState, AccountEvent> = {
  initialState: { status: 'none' },

  decide(command, state) {
    switch (command.type) {
      case 'CreateAccount':
        return decideCreate(command, state);
      default: {
        const unknown: never = command.type;
        throw new Error(`unknown account command ${JSON.stringify(unknown)}`);
      }
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case 'AccountCreated': {
        const { accountId, name, kind, parentAccountId } = event.data;
        return { status: 'active', accountId, name, kind, parentAccountId: parentAccountId ?? null };
      }
      default: {
        const unknown: never = event.type;
        throw new Error(`unknown account event ${JSON.stringify(unknown)}`);
      }
    }
  },
};

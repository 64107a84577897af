import { validateEvent } from '@latchkey/contracts';
import { envelopesOf, fold } from '@latchkey/eventstore';
import { IdentityError } from '../identity-error';
import {
  accountDecider as decider,
  accountStream,
  requireAccount,
  type AccountCommand,
  type AccountEvent,
} from './account.decider';

const given = (...events: AccountEvent[]) => fold(decider, events);
const when = (command: AccountCommand, ...history: AccountEvent[]) => decider.decide(command, given(...history));
const thenError = (code: string, command: AccountCommand, ...history: AccountEvent[]) => {
  let caught: unknown;
  try {
    when(command, ...history);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(IdentityError);
  expect((caught as IdentityError).code).toBe(code);
};

const ORG = 'acct-org';
const SHOP = 'acct-shop';
const orgCreated: AccountEvent = { type: 'AccountCreated', data: { accountId: ORG, name: 'Acme', kind: 'directory' } };
const shopCreated: AccountEvent = {
  type: 'AccountCreated',
  data: { accountId: SHOP, name: 'Acme Shop', kind: 'standard', parentAccountId: ORG },
};
const createOrg: AccountCommand = { type: 'CreateAccount', accountId: ORG, name: 'Acme', kind: 'directory' };
const createShop: AccountCommand = {
  type: 'CreateAccount',
  accountId: SHOP,
  name: 'Acme Shop',
  kind: 'standard',
  parent: { accountId: ORG, kind: 'directory' },
};

describe('account decider', () => {
  it('given nothing, then the account does not exist', () => {
    expect(given()).toEqual({ status: 'none' });
  });

  it('given nothing, when creating a directory account, then AccountCreated without a parent', () => {
    expect(when(createOrg)).toEqual([orgCreated]);
    expect(when({ ...createOrg, parent: null })).toEqual([orgCreated]);
  });

  it('given nothing, when creating a standard account under a directory, then AccountCreated with its parent', () => {
    expect(when(createShop)).toEqual([shopCreated]);
  });

  it('given a name with surrounding spaces, then it is stored trimmed', () => {
    expect(when({ ...createOrg, name: '  Acme  ' })).toEqual([orgCreated]);
  });

  it('given an account, when creating it again, then ACCOUNT_EXISTS', () => {
    thenError('ACCOUNT_EXISTS', createOrg, orgCreated);
    thenError('ACCOUNT_EXISTS', createShop, shopCreated);
  });

  it('when creating a standard account without a parent, then PARENT_REQUIRED', () => {
    thenError('PARENT_REQUIRED', { ...createShop, parent: undefined });
    thenError('PARENT_REQUIRED', { ...createShop, parent: null });
  });

  it('when creating a standard account under a standard account, then PARENT_NOT_DIRECTORY', () => {
    thenError('PARENT_NOT_DIRECTORY', { ...createShop, parent: { accountId: 'acct-other-shop', kind: 'standard' } });
  });

  it('when creating a directory account with a parent, then PARENT_NOT_ALLOWED', () => {
    thenError('PARENT_NOT_ALLOWED', { ...createOrg, parent: { accountId: 'acct-root', kind: 'directory' } });
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['longer than 200 characters', 'x'.repeat(201)],
  ])('when creating an account whose name is %s, then NAME_INVALID', (_label, name) => {
    thenError('NAME_INVALID', { ...createOrg, name });
  });

  it('given AccountCreated, then the state is active with kind and parent', () => {
    expect(given(orgCreated)).toEqual({
      status: 'active',
      accountId: ORG,
      name: 'Acme',
      kind: 'directory',
      parentAccountId: null,
    });
    expect(given(shopCreated)).toEqual({
      status: 'active',
      accountId: SHOP,
      name: 'Acme Shop',
      kind: 'standard',
      parentAccountId: ORG,
    });
  });

  it('requireAccount turns an existing account into the fact a command needs, or says ACCOUNT_NOT_FOUND', () => {
    expect(requireAccount(ORG, given(orgCreated))).toEqual({ accountId: ORG, kind: 'directory' });
    expect(() => requireAccount(ORG, given())).toThrow(expect.objectContaining({ code: 'ACCOUNT_NOT_FOUND' }));
  });

  it('names its stream by the account id', () => {
    expect(accountStream(SHOP)).toEqual({ type: 'account', id: SHOP });
  });

  it('emits events that validate against the contracts', () => {
    const emitted = [...when(createOrg), ...when(createShop)];
    for (const envelope of emitted.flatMap((event) =>
      envelopesOf('identity-service', 'account', (event.data as { accountId: string }).accountId, [event]),
    )) {
      expect(validateEvent(envelope)).toEqual({ ok: true, event: envelope });
    }
  });
});

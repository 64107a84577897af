import { randomUUID } from 'node:crypto';
import { Topics } from '@latchkey/contracts';
import type { DomainEvent } from '../store/types';

/** Real contract events for the store's tests (they must pass the contracts' validation). */
export function userRegistered(userId: string = randomUUID(), n = 0): DomainEvent {
  return {
    type: 'UserRegistered',
    data: { userId, kind: 'human', email: `user${n}@example.com`, displayName: `User ${n}`, accountIds: ['acct-1'] },
  };
}

export function membershipChanged(userId: string, n: number): DomainEvent {
  return {
    type: 'MembershipChanged',
    data: { userId, accountId: 'acct-1', roles: ['member'], permissions: [`records${n}:read`] },
  };
}

export const TEST_SOURCE = 'eventstore-test';
export const TEST_TOPIC = Topics.identity;

/** A valid MembershipChanged of about `bytes` bytes of JSON (many distinct 100-character role names). */
export function largeMembershipChanged(userId: string, bytes: number, n = 0): DomainEvent {
  const count = Math.ceil(bytes / 103);
  return {
    type: 'MembershipChanged',
    data: {
      userId,
      accountId: 'acct-1',
      roles: Array.from({ length: count }, (_, i) => `r${n}-${i}-`.padEnd(100, 'x')),
      permissions: ['records:read'],
    },
  };
}

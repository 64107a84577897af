import { randomUUID } from 'node:crypto';
import {
  assertValidEvent,
  EventCatalog,
  type EventData,
  type EventType,
  type LatchkeyEvent,
} from '@latchkey/contracts';
import { generateSecret, hashSecret, displayPrefix } from '@latchkey/token-format';

/**
 * Builds valid events (checked against the contracts) with per-aggregate versions, for the
 * verifier's tests.
 */
export class EventFactory {
  private readonly versions = new Map<string, number>();

  event<T extends EventType>(type: T, aggregateId: string, data: EventData<T>): LatchkeyEvent {
    const v = (this.versions.get(aggregateId) ?? 0) + 1;
    this.versions.set(aggregateId, v);
    return assertValidEvent({
      id: randomUUID(),
      type,
      schemaVersion: EventCatalog[type].schemaVersion,
      source: 'verifier-test',
      aggregateType: EventCatalog[type].aggregateType,
      aggregateId,
      aggregateVersion: v,
      occurredAt: new Date().toISOString(),
      data,
    });
  }

  /** A PAT for `userId`: its grant, its issue event and the raw token. */
  pat(userId: string, opts: { accountIds?: string[]; scopes?: string[]; expiresAt?: string | null } = {}) {
    const grantId = randomUUID();
    const tokenId = randomUUID();
    const token = generateSecret('pat');
    const accountIds = opts.accountIds ?? ['acct-1'];
    const scopes = opts.scopes ?? ['orders:read', 'orders:update'];
    const issued = this.event('TokenIssued', grantId, {
      tokenId,
      grantId,
      tokenKind: 'pat',
      tokenHash: hashSecret(token),
      displayPrefix: displayPrefix(token),
      userId,
      accountIds,
      scopes,
      issuedAt: new Date().toISOString(),
      expiresAt: opts.expiresAt ?? null,
    });
    return { grantId, tokenId, token, issued };
  }

  /** An OAuth access token issued to `clientId` on behalf of `userId`. */
  accessToken(userId: string, clientId: string, scopes = ['orders:read'], accountIds = ['acct-1']) {
    const grantId = randomUUID();
    const tokenId = randomUUID();
    const token = generateSecret('at');
    const issued = this.event('TokenIssued', grantId, {
      tokenId,
      grantId,
      tokenKind: 'access',
      tokenHash: hashSecret(token),
      displayPrefix: displayPrefix(token),
      userId,
      clientId,
      accountIds,
      scopes,
      issuedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    return { grantId, tokenId, token, issued };
  }
}

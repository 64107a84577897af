import { exampleEvent, type EventType } from '../events/catalog';
import { assertValidEvent, decodeEvent, validateEvent } from './validate-event';
import { EventValidationError } from './event-validation.error';

/** A mutable deep copy of a valid example event. */
function example(type: EventType): Record<string, unknown> & { data: Record<string, unknown> } {
  return structuredClone(exampleEvent(type)) as unknown as Record<string, unknown> & { data: Record<string, unknown> };
}

function errorsOf(value: unknown): string[] {
  const result = validateEvent(value);
  return result.ok ? [] : result.errors;
}

describe('validateEvent', () => {
  it('given a valid event, when validated, then it is returned as the event', () => {
    // given
    const event = example('UserDeactivated');
    // when
    const result = validateEvent(event);
    // then
    expect(result).toEqual({ ok: true, event });
  });

  it('given an event without a required data field, when validated, then the field is reported as required', () => {
    // given
    const event = example('UserRegistered');
    delete event.data.displayName;
    // then
    expect(errorsOf(event)).toEqual(['data.displayName: is required']);
  });

  it('given a data field of the wrong type, when validated, then the error names the field and the expected type', () => {
    // given
    const event = example('UserDeactivated');
    event.data.userId = 42;
    event.aggregateId = '42';
    // then
    expect(errorsOf(event)).toContain('data.userId: must be string');
  });

  it('given an unknown extra data field, when validated, then it is rejected', () => {
    // given
    const event = example('GrantRevoked');
    event.data.note = 'hello';
    // then
    expect(errorsOf(event)).toEqual(['data.note: is not allowed (unknown property)']);
  });

  it.each(['secret', 'clientSecret', 'token', 'accessToken', 'password', 'refreshToken'])(
    'given a data field named like a secret (%s), when validated, then it is rejected',
    (field) => {
      // given
      const event = example('TokenIssued');
      event.data[field] = 'lk_pat_0123456789abcdefghijABCDEFGHIJ0123456789abcAbC123';
      // then
      expect(errorsOf(event)).toEqual([`data.${field}: is not allowed (unknown property)`]);
    },
  );

  it('given an unknown event type, when validated, then the type is reported unknown', () => {
    // given
    const event = { ...example('GrantRevoked'), type: 'GrantDeleted' };
    // then
    expect(errorsOf(event)).toEqual(['type: unknown event type "GrantDeleted"']);
  });

  it.each([
    ['a raw token', 'lk_pat_0123456789abcdefghijABCDEFGHIJ0123456789abcAbC123'],
    ['a hex SHA-256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['padded base64', '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
    ['42 characters', 'O_zROXVgS00DWI7EkDPTgjMeDw4v7cqU2Xv36Ljhke'],
    ['a forbidden character', 'O_zROXVgS00DWI7EkDPTgjMeDw4v7cqU2Xv36Ljhk+0'],
  ])('given a tokenHash that is %s, when validated, then it is rejected', (_what, tokenHash) => {
    // given
    const event = example('TokenIssued');
    event.data.tokenHash = tokenHash;
    // when
    const errors = errorsOf(event);
    // then
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.startsWith('data.tokenHash: '))).toBe(true);
  });

  it('given a client secret in secretHash, when validated, then it is rejected', () => {
    // given
    const event = example('ApplicationSecretRotated');
    event.data.secretHash = 'lk_cs_0123456789abcdefghijABCDEFGHIJ0123456789abcAbC1234';
    // then
    expect(errorsOf(event).some((error) => error.startsWith('data.secretHash: '))).toBe(true);
  });

  it('given a bad scope, a bad enum value and a nested error, when validated, then all are reported with readable paths', () => {
    // given
    const issued = example('TokenIssued');
    issued.data.scopes = ['orders:read', 'Orders:write'];
    issued.data.tokenKind = 'session';
    const used = example('TokensUsed');
    (used.data.entries as Array<Record<string, unknown>>)[1]!.count = 0;
    // when
    const issuedErrors = errorsOf(issued);
    const usedErrors = errorsOf(used);
    // then
    expect(issuedErrors).toContain(
      'data.scopes[1]: must match pattern "^[a-z][a-z0-9_]*:(create|read|update|delete|\\*)$"',
    );
    expect(issuedErrors).toContain('data.tokenKind: must be one of "pat", "access", "refresh"');
    expect(usedErrors).toEqual(['data.entries[1].count: must be >= 1']);
  });

  it('given nullable and date-time fields, when null or a bad date is given, then null passes only where allowed', () => {
    // given
    const neverExpires = example('TokenIssued');
    neverExpires.data.expiresAt = null;
    const badDate = example('TokenIssued');
    badDate.data.issuedAt = 'yesterday';
    const nullIssued = example('TokenIssued');
    nullIssued.data.issuedAt = null;
    // then
    expect(validateEvent(neverExpires).ok).toBe(true);
    expect(errorsOf(badDate)).toEqual(['data.issuedAt: must match format "date-time"']);
    expect(errorsOf(nullIssued)).toEqual(['data.issuedAt: must be string']);
  });

  it('given envelope errors, when validated, then each envelope field is reported', () => {
    // given
    const event = example('UserReactivated');
    event.id = 'not-a-uuid';
    event.aggregateVersion = 0;
    delete event.occurredAt;
    event.extra = true;
    // when
    const errors = errorsOf(event);
    // then
    expect(errors).toEqual(
      expect.arrayContaining([
        'id: must match format "uuid"',
        'aggregateVersion: must be >= 1',
        'occurredAt: is required',
        'extra: is not allowed (unknown property)',
      ]),
    );
  });

  it('given the wrong aggregateType for the event type, when validated, then it is rejected', () => {
    // given
    const event = { ...example('TokenIssued'), aggregateType: 'token' };
    // then
    expect(errorsOf(event)).toEqual(['aggregateType: must be "grant"']);
  });

  it('given an aggregateId that is not the key field of the data, when validated, then it is rejected', () => {
    // given
    const event = { ...example('TokenIssued'), aggregateId: 'some-other-grant' };
    // then
    expect(errorsOf(event)).toEqual([
      `aggregateId: must equal data.grantId ("${exampleEvent('TokenIssued').data.grantId}")`,
    ]);
  });

  it('given a schemaVersion the catalog does not know, when validated, then it is rejected', () => {
    // given
    const event = { ...example('GrantCreated'), schemaVersion: 7 };
    // then
    expect(errorsOf(event)).toEqual(['schemaVersion: GrantCreated has no schema version 7 (latest is 1)']);
  });

  it('given an ApplicationUpdated that changes nothing, when validated, then it is rejected', () => {
    // given
    const event = example('ApplicationUpdated');
    event.data = { clientId: event.data.clientId };
    // then
    expect(errorsOf(event)).toEqual(['data: must NOT have fewer than 2 properties']);
  });

  it.each([null, 'TokenIssued', [], 42])('given a non-object (%p), when validated, then it is rejected', (value) => {
    expect(errorsOf(value)).toEqual(['(event): must be object']);
  });

  it('given an envelope whose type is not a string, when validated, then the type error is reported', () => {
    // given
    const event = { ...example('GrantCreated'), type: 3 };
    // then
    expect(errorsOf(event)).toContain('type: must be string');
  });
});

describe('assertValidEvent', () => {
  it('given a valid event, when asserted, then it is returned', () => {
    // given
    const event = example('ApplicationDeleted');
    // then
    expect(assertValidEvent(event)).toBe(event);
  });

  it('given an invalid event, when asserted, then an EventValidationError with code and errors is thrown', () => {
    // given
    const event = example('ApplicationDeleted');
    delete event.data.clientId;
    // when
    let thrown: unknown;
    try {
      assertValidEvent(event);
    } catch (error) {
      thrown = error;
    }
    // then
    expect(thrown).toBeInstanceOf(EventValidationError);
    expect(thrown).toMatchObject({ code: 'EVENT_SCHEMA_INVALID', errors: ['data.clientId: is required'] });
    expect((thrown as Error).message).toContain('data.clientId: is required');
  });
});

describe('who acted on a grant (TokenIssued, TokenRevoked, GrantRevoked v2)', () => {
  it.each(['TokenIssued', 'TokenRevoked', 'GrantRevoked'] as const)(
    'given a %s written at v1 (no actor), when decoded, then it is upcast to v2 unchanged',
    (type) => {
      // given
      const latest = exampleEvent(type);
      const v1 = { ...latest, schemaVersion: 1 };
      // when
      const result = decodeEvent(v1);
      // then
      expect(result).toEqual({ ok: true, event: { ...v1, schemaVersion: 2 } });
    },
  );

  it('given a v1 event carrying the v2 field, when validated, then it is refused (the field is why the version moved)', () => {
    // given
    const revoked = exampleEvent('TokenRevoked');
    const v1 = { ...revoked, schemaVersion: 1, data: { ...revoked.data, revokedBy: 'admin-1' } };
    // when
    const result = validateEvent(v1);
    // then
    expect(result.ok).toBe(false);
    expect(validateEvent({ ...v1, schemaVersion: 2 }).ok).toBe(true);
  });
});

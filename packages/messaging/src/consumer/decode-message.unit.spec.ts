import { randomUUID } from 'node:crypto';
import { decodeMessage } from './decode-message';

const accountCreated = (schemaVersion: number) => {
  const id = randomUUID();
  return {
    id: randomUUID(),
    type: 'AccountCreated',
    schemaVersion,
    source: 'messaging-test',
    aggregateType: 'account',
    aggregateId: id,
    aggregateVersion: 1,
    occurredAt: '2025-01-15T10:30:00.000Z',
    data: { accountId: id, name: 'Acme', kind: 'standard' },
  };
};
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeMessage', () => {
  it('decodes a valid event at the version this code knows', () => {
    const event = accountCreated(1);
    expect(decodeMessage(encode(event))).toEqual({ ok: true, event });
  });

  it('tells a newer schemaVersion of a known type apart from bad data: unsupported-version, with the event id', () => {
    const event = { ...accountCreated(2), data: { whatever: 'a future shape' } };
    expect(decodeMessage(encode(event))).toEqual({
      ok: false,
      reason: 'unsupported-version',
      type: 'AccountCreated',
      schemaVersion: 2,
      eventId: event.id,
      errors: ['schemaVersion: AccountCreated v2 is newer than this consumer knows (latest v1)'],
    });
  });

  it('still calls a version below the first, an unknown type and broken data schema-invalid', () => {
    expect(decodeMessage(encode(accountCreated(0)))).toMatchObject({ ok: false, reason: 'schema-invalid' });
    expect(decodeMessage(encode({ ...accountCreated(5), type: 'NoSuchEvent' }))).toMatchObject({
      ok: false,
      reason: 'schema-invalid',
    });
    expect(decodeMessage(encode({ ...accountCreated(1), data: {} }))).toMatchObject({
      ok: false,
      reason: 'schema-invalid',
    });
    expect(decodeMessage(encode([1, 2]))).toMatchObject({ ok: false, reason: 'schema-invalid' });
  });

  it('calls non-JSON and tombstones unparseable', () => {
    expect(decodeMessage(Buffer.from('not json'))).toMatchObject({ ok: false, reason: 'unparseable' });
    expect(decodeMessage(null)).toMatchObject({ ok: false, reason: 'unparseable' });
  });
});

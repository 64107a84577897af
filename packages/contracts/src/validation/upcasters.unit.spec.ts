import type { EventEnvelope } from '../envelope';
import { exampleEvent } from '../events/catalog';
import { EventValidationError } from './event-validation.error';
import { hasUpcaster, registerUpcaster, upcast } from './upcasters';
import { decodeEvent } from './validate-event';

function envelope(type: string, schemaVersion: number, data: unknown): EventEnvelope {
  return {
    id: '2f1e6c1a-7d0b-4c3e-9a8f-5b6c7d8e9f01',
    type,
    schemaVersion,
    source: 'test',
    aggregateType: 'scratch',
    aggregateId: 'scratch-1',
    aggregateVersion: 1,
    occurredAt: '2025-01-15T10:30:00.000Z',
    data,
  };
}

describe('upcast', () => {
  it('given a scratch type with an upcaster from v1, when a v1 envelope is upcast, then it comes out as v2 with the new data', () => {
    // given
    registerUpcaster('ScratchRenamed', 1, (data) => {
      const { fullName, ...rest } = data as { fullName: string };
      return { ...rest, displayName: fullName };
    });
    const v1 = envelope('ScratchRenamed', 1, { userId: 'u1', fullName: 'Ada' });
    // when
    const result = upcast(v1);
    // then
    expect(result).toEqual({ ...v1, schemaVersion: 2, data: { userId: 'u1', displayName: 'Ada' } });
    expect(v1).toEqual(envelope('ScratchRenamed', 1, { userId: 'u1', fullName: 'Ada' }));
    expect(hasUpcaster('ScratchRenamed', 1)).toBe(true);
    expect(hasUpcaster('ScratchRenamed', 2)).toBe(false);
  });

  it('given upcasters v1→v2→v3, when a v1 envelope is upcast, then both are applied in order', () => {
    // given
    registerUpcaster('ScratchChain', 1, (data) => ({ ...(data as object), step: ['v2'] }));
    registerUpcaster('ScratchChain', 2, (data) => {
      const d = data as { step: string[] };
      return { ...d, step: [...d.step, 'v3'] };
    });
    // when
    const fromV1 = upcast(envelope('ScratchChain', 1, {}));
    const fromV2 = upcast(envelope('ScratchChain', 2, { step: ['stored-v2'] }));
    // then
    expect(fromV1.schemaVersion).toBe(3);
    expect(fromV1.data).toEqual({ step: ['v2', 'v3'] });
    expect(fromV2.schemaVersion).toBe(3);
    expect(fromV2.data).toEqual({ step: ['stored-v2', 'v3'] });
  });

  it('given a type without upcasters, when upcast, then the very same envelope comes back', () => {
    // given
    const unknown = envelope('NeverRegistered', 1, { a: 1 });
    const latest = exampleEvent('TokenIssued');
    // then
    expect(upcast(unknown)).toBe(unknown);
    expect(upcast(latest)).toBe(latest);
  });

  it('given a malformed envelope, when upcast, then it is returned untouched for validation to report', () => {
    // given
    const noType = { schemaVersion: 1, data: {} } as unknown as EventEnvelope;
    const notAnObject = 'garbage' as unknown as EventEnvelope;
    // then
    expect(upcast(noType)).toBe(noType);
    expect(upcast(notAnObject)).toBe(notAnObject);
  });

  it('given an upcaster that throws, when upcast, then an EventValidationError explains the step', () => {
    // given
    registerUpcaster('ScratchBroken', 1, () => {
      throw new Error('fullName missing');
    });
    // when
    const attempt = () => upcast(envelope('ScratchBroken', 1, {}));
    // then
    expect(attempt).toThrow(EventValidationError);
    expect(attempt).toThrow('upcasting ScratchBroken from v1 to v2 failed: fullName missing');
  });

  it('given invalid registrations, when registered, then they are refused', () => {
    // given
    registerUpcaster('ScratchTwice', 1, (data) => data);
    // then
    expect(() => registerUpcaster('ScratchTwice', 1, (data) => data)).toThrow('already registered');
    expect(() => registerUpcaster('ScratchZero', 0, (data) => data)).toThrow(RangeError);
    expect(() => registerUpcaster('ScratchFraction', 1.5, (data) => data)).toThrow(RangeError);
    // a catalog type at v1 cannot be upcast from v1: there is no v2
    expect(() => registerUpcaster('GrantCreated', 1, (data) => data)).toThrow('latest schema version is 1');
    // and a step registered once (TokenIssued v1 → v2, by the contracts) cannot be registered again
    expect(() => registerUpcaster('TokenIssued', 1, (data) => data)).toThrow('already registered');
  });
});

describe('decodeEvent', () => {
  it('given a valid latest event, when decoded, then it is returned unchanged', () => {
    // given
    const event = exampleEvent('GrantCreated');
    // then
    expect(decodeEvent(event)).toEqual({ ok: true, event });
  });

  it('given an invalid event, when decoded, then the validation errors are returned without throwing', () => {
    // given
    const event = { ...exampleEvent('GrantCreated'), type: 'GrantMade' };
    // then
    expect(decodeEvent(event)).toEqual({ ok: false, errors: ['type: unknown event type "GrantMade"'] });
  });
});

import { BlockedPartitions } from './blocked-partitions';

describe('BlockedPartitions', () => {
  const at = { topic: 't', partition: 2, offset: '41' };
  const failure = {
    reason: 'handler-failing' as const,
    error: 'Error: db down',
    eventId: 'e1',
    type: 'UserDeactivated',
  };
  const clock = () => new Date('2025-01-15T10:30:00.000Z');

  it('counts attempts at one message and reports the first, then every N-th', () => {
    const book = new BlockedPartitions(3, clock);
    const reports = Array.from({ length: 7 }, () => book.failed(at, failure)).map((r) => [r.info.attempt, r.report]);
    expect(reports).toEqual([
      [1, true],
      [2, false],
      [3, true],
      [4, false],
      [5, false],
      [6, true],
      [7, false],
    ]);
    expect(book.failed(at, failure).info).toEqual({ ...at, ...failure, attempt: 8 });
    expect(book.list()).toEqual([{ ...at, reason: 'handler-failing', since: '2025-01-15T10:30:00.000Z', attempts: 8 }]);
  });

  it('starts again at attempt 1 for another message of the partition', () => {
    const book = new BlockedPartitions(10, clock);
    book.failed(at, failure);
    book.failed(at, failure);
    expect(book.failed({ ...at, offset: '42' }, failure)).toMatchObject({ info: { attempt: 1 }, report: true });
  });

  it('unblocks a partition when a message goes through, once', () => {
    const book = new BlockedPartitions(10, clock);
    expect(book.passed('t', 2)).toBeNull();
    book.failed(at, { reason: 'unsupported-version', error: 'v9' });
    book.failed({ topic: 't', partition: 3, offset: '7' }, failure);
    expect(book.passed('t', 2)).toEqual(at);
    expect(book.passed('t', 2)).toBeNull();
    expect(book.list().map((b) => b.partition)).toEqual([3]);
    book.forget('t', 3);
    expect(book.list()).toEqual([]);
  });

  it('refuses a report interval below 1', () => {
    expect(() => new BlockedPartitions(0)).toThrow(RangeError);
  });
});

import { PartitionProgress } from './partition-progress';

const LIMIT = 10_000;
const marks = (m: Record<string, number>) => new Map(Object.entries(m));

function caughtUp(): PartitionProgress {
  const p = new PartitionProgress();
  p.start(marks({ 't:0': 2, 't:1': 0 }), 0);
  p.processed('t:0', 0, 10);
  p.processed('t:0', 1, 20);
  return p;
}

describe('PartitionProgress — readiness and the staleness policy of every verifier', () => {
  it('is ready only once every partition reached the marks seen at start', () => {
    const p = new PartitionProgress();
    expect(p.start(marks({ 't:0': 2, 't:1': 0 }), 0)).toBe(false);
    expect(p.isStale(LIMIT, 1)).toBe(true);
    expect(p.processed('t:0', 0, 10)).toBe(false);
    expect(p.processed('t:0', 1, 20)).toBe(true);
    expect(p.isReady).toBe(true);
    expect(p.isStale(LIMIT, 30)).toBe(false);
  });

  it('empty topics are caught up at once', () => {
    expect(new PartitionProgress().start(marks({ 't:0': 0 }), 0)).toBe(true);
  });

  it('goes stale when Kafka says nothing for longer than the limit, and recovers once it answers', () => {
    const p = caughtUp();
    expect(p.isStale(LIMIT, LIMIT)).toBe(false); // t:1 last known current at start (0)
    expect(p.isStale(LIMIT, LIMIT + 1)).toBe(true);
    p.marksRead(marks({ 't:0': 2, 't:1': 0 }), 30_000);
    expect(p.isStale(LIMIT, 30_001)).toBe(false);
  });

  it('goes stale when the broker answers metadata but the consumer is stalled behind it', () => {
    const p = caughtUp();
    // new messages arrive on t:1; the broker keeps answering; the consumer never gets them
    for (let now = 1_000; now <= 30_000; now += 1_000) p.marksRead(marks({ 't:0': 2, 't:1': 5 }), now);
    expect(p.isStale(LIMIT, 30_000)).toBe(true);
    expect(p.lag()).toEqual({ 't:0': 0, 't:1': 5 });
  });

  it('a partition that keeps moving while behind is not stale', () => {
    const p = caughtUp();
    for (let i = 0; i < 30; i++) {
      p.marksRead(marks({ 't:0': 2, 't:1': i + 5 }), i * 1_000);
      p.processed('t:1', i, i * 1_000 + 500);
    }
    expect(p.isStale(LIMIT, 30_000)).toBe(false);
  });

  it('stays stale after an outage until every partition has caught up with the latest marks (latched)', () => {
    const p = caughtUp();
    expect(p.isStale(LIMIT, 50_000)).toBe(true);
    p.marksRead(marks({ 't:0': 4, 't:1': 0 }), 50_001);
    p.processed('t:0', 2, 50_002);
    expect(p.isStale(LIMIT, 50_003)).toBe(true); // t:0 still one behind
    p.processed('t:0', 3, 50_004);
    expect(p.isStale(LIMIT, 50_005)).toBe(false);
  });

  it('is stale at once while a partition is blocked on an event it cannot apply, and until it catches up after', () => {
    const p = caughtUp();
    p.blocked('t:0', { offset: '2', reason: 'unsupported-version' });
    expect(p.isStale(LIMIT, 30)).toBe(true);
    expect(p.blockedList()).toEqual([{ partition: 't:0', offset: '2', reason: 'unsupported-version' }]);
    p.marksRead(marks({ 't:0': 3, 't:1': 0 }), 40);
    p.unblocked('t:0');
    expect(p.isStale(LIMIT, 50)).toBe(true);
    p.processed('t:0', 2, 60);
    expect(p.isStale(LIMIT, 70)).toBe(false);
  });
});

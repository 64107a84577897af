import { createRequire } from 'node:module';
import { fixKafkaJsIdleLoop } from './request-queue-idle-fix';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const RequestQueue = createRequire(__filename)('kafkajs/src/network/requestQueue') as new (options: object) => Queue;
const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

function queue(): Queue {
  return new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: 't',
    broker: 'b',
    logger: quietLogger,
  });
}

describe('the kafkajs idle-loop fix', () => {
  beforeAll(() => expect(fixKafkaJsIdleLoop()).toBe(true));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('schedules nothing when no request is pending, throttled or not (kafkajs 2.2.4 set a timer that re-armed itself every ms)', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.throttledUntil = Date.now() + 1000;
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('re-checks pending requests when the throttle ends', () => {
    const q = queue();
    const check = jest.fn();
    q.checkPendingRequests = check;
    q.pending.push({});
    q.throttledUntil = Date.now() + 50;
    q.scheduleCheckPendingRequests();
    q.scheduleCheckPendingRequests(); // one timer at a time
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(49);
    expect(check).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(check).toHaveBeenCalledTimes(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('re-checks pending requests after 10 ms when they wait for something else than a throttle (the in-flight limit)', () => {
    const q = queue();
    const check = jest.fn();
    q.checkPendingRequests = check;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    jest.advanceTimersByTime(9);
    expect(check).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(check).toHaveBeenCalledTimes(1);
  });

  it('is applied once', () => {
    const before = RequestQueue.prototype.scheduleCheckPendingRequests;
    expect(fixKafkaJsIdleLoop()).toBe(true);
    expect(RequestQueue.prototype.scheduleCheckPendingRequests).toBe(before);
  });

  describe('the request-timeout check (kafkajs: a 100 ms interval on every connection, always)', () => {
    interface Watched extends Queue {
      scheduleRequestTimeoutCheck(): void;
      push(request: object): void;
      fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
      destroy(): void;
    }
    const connected = () => {
      const q = queue() as unknown as Watched;
      q.scheduleRequestTimeoutCheck(); // what kafkajs calls when the socket connects
      return q;
    };
    let correlationId = 0;
    const request = (requestTimeout?: number) => {
      const id = ++correlationId;
      const outcome = { completed: false, error: null as Error | null };
      return {
        id,
        outcome,
        pushed: {
          entry: {
            correlationId: id,
            apiKey: 1,
            apiName: 'Fetch',
            apiVersion: 4,
            resolve: () => (outcome.completed = true),
            reject: (e: Error) => (outcome.error = e),
          },
          expectResponse: true,
          requestTimeout,
          sendRequest: () => undefined,
        },
      };
    };

    it('an idle connection has no timer at all', () => {
      connected();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('runs once a second while a request is in flight, and stops once nothing is', () => {
      const q = connected();
      const r = request();
      q.push(r.pushed);
      expect(jest.getTimerCount()).toBe(1);
      q.fulfillRequest({ correlationId: r.id, payload: null, size: 0 });
      jest.advanceTimersByTime(1_000);
      expect(jest.getTimerCount()).toBe(0);
      q.push(request().pushed); // and again for the next one
      expect(jest.getTimerCount()).toBe(1);
      q.destroy();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('still times out a request that gets no answer (at most a second late)', () => {
      const q = connected();
      const r = request();
      q.push(r.pushed);
      jest.advanceTimersByTime(30_000);
      expect(r.outcome.error).toBeNull();
      jest.advanceTimersByTime(2_000);
      expect(r.outcome.error?.name).toBe('KafkaJSRequestTimeoutError');
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});

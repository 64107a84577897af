/**
 * Two fixes for kafkajs 2.2.x timers that keep every broker connection busy while idle.
 *
 * 1. A 1 ms timer spinning forever (tulios/kafkajs#1556, #1704; unfixed upstream, whose last
 *    release is 2.2.4).
 *
 * kafkajs's `RequestQueue.scheduleCheckPendingRequests` is meant to re-check the queue when
 * requests are waiting on a client-side throttle. With nothing pending and no throttle it
 * computes a negative delay (`throttledUntil` is -1) and still sets a timer, whose callback calls
 * it again: ~1,000 wake-ups a second per connection, ~4 % of a core per idle consumer on this
 * machine (docs/benchmarks.md, idle CPU). Requests never depend on that loop: a request that
 * cannot go out at once is queued by `push`, which schedules a check, and every answer or
 * timeout re-checks the queue.
 *
 * The replacement keeps the throttle behaviour and drops the loop: a check is scheduled only
 * while requests are pending, at the end of the throttle (or after kafkajs's own 10 ms when not
 * throttled, e.g. waiting on the in-flight limit).
 *
 * 2. The request-timeout check: kafkajs runs a `setInterval` every 100 ms on every connection,
 *    from connect to disconnect, to time out requests that get no answer (~10 wake-ups a second
 *    per connection, idle or not; a service holds half a dozen connections). The replacement runs
 *    the check only while requests are in flight, once a second (requests time out after 30 s or
 *    more: a timeout is noticed at most a second late), and stops when nothing is in flight.
 *
 * Applied once, to the kafkajs version they were written against; any other version is left alone.
 */
import { createRequire } from 'node:module';

const PATCHED_VERSION = /^2\.2\./;
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10; // kafkajs's own constant

interface InflightRequest {
  sentAt: number;
  requestTimeout: number;
  timeoutRequest(): void;
}

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  enforceRequestTimeout: boolean;
  requestTimeout: number;
  inflight: Map<number, InflightRequest>;
  requestTimeoutIntervalId: NodeJS.Timeout | null | undefined;
  isConnected(): boolean;
  destroy(): void;
  scheduleRequestTimeoutCheck(): void;
  sendSocketRequest(request: unknown): void;
  /** ours: whether this connection's requests are to be timed out (set at connect) */
  lazyRequestTimeoutCheck?: boolean;
}

/** How often in-flight requests are checked for a timeout (kafkajs: every 100 ms, always). */
export const REQUEST_TIMEOUT_CHECK_MS = 1_000;

let applied: boolean | null = null;

/** Installs the fix (idempotent). Returns whether kafkajs is now patched. */
export function fixKafkaJsIdleLoop(): boolean {
  if (applied !== null) return applied;
  applied = false;
  let version: string;
  let RequestQueue: { prototype: RequestQueueLike } | undefined;
  try {
    const require = createRequire(__filename);
    version = (require('kafkajs/package.json') as { version: string }).version;
    RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueLike };
  } catch {
    return applied; // another layout: nothing to fix here
  }
  const proto = RequestQueue?.prototype;
  if (
    !PATCHED_VERSION.test(version) ||
    typeof proto?.scheduleCheckPendingRequests !== 'function' ||
    typeof proto.scheduleRequestTimeoutCheck !== 'function' ||
    typeof proto.sendSocketRequest !== 'function' ||
    typeof proto.destroy !== 'function'
  )
    return applied;
  patchRequestTimeoutCheck(proto);
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueLike) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
  applied = true;
  return applied;
}

/** Fix 2: the request-timeout check runs only while requests are in flight. */
function patchRequestTimeoutCheck(proto: RequestQueueLike): void {
  const sendSocketRequest = proto.sendSocketRequest;
  const destroy = proto.destroy;
  // at connect: remember whether to check, but start nothing yet
  proto.scheduleRequestTimeoutCheck = function scheduleRequestTimeoutCheck(this: RequestQueueLike) {
    this.destroy();
    this.lazyRequestTimeoutCheck = this.enforceRequestTimeout;
  };
  proto.destroy = function destroyAndForget(this: RequestQueueLike) {
    destroy.call(this);
    this.requestTimeoutIntervalId = null;
  };
  proto.sendSocketRequest = function sendSocketRequestAndWatch(this: RequestQueueLike, request: unknown) {
    sendSocketRequest.call(this, request);
    if (!this.lazyRequestTimeoutCheck || this.requestTimeoutIntervalId || this.inflight.size === 0) return;
    this.requestTimeoutIntervalId = setInterval(
      () => {
        const now = Date.now();
        this.inflight.forEach((r) => {
          if (now - r.sentAt > r.requestTimeout) r.timeoutRequest();
        });
        if (!this.isConnected()) return this.destroy();
        if (this.inflight.size === 0) {
          clearInterval(this.requestTimeoutIntervalId as NodeJS.Timeout);
          this.requestTimeoutIntervalId = null;
        }
      },
      Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
    );
  };
}

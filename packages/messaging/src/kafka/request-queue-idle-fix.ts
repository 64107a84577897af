/**
 * A fix for kafkajs 2.2.x spinning a 1 ms timer on every broker connection while idle
 * (tulios/kafkajs#1556, #1704; unfixed upstream, whose last release is 2.2.4).
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
 * throttled, e.g. waiting on the in-flight limit). Applied once, to the kafkajs version it was
 * written against; any other version is left alone.
 */
import { createRequire } from 'node:module';

const PATCHED_VERSION = /^2\.2\./;
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10; // kafkajs's own constant

interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

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
  if (!PATCHED_VERSION.test(version) || typeof RequestQueue?.prototype?.scheduleCheckPendingRequests !== 'function')
    return applied;
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

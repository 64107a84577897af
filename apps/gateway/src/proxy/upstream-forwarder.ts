import type { IncomingMessage, ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { downstreamHeaders } from './proxy-headers';

export interface ForwardRequest {
  /** `scheme://host:port` of the upstream. */
  origin: string;
  /** Path and query sent upstream. */
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  /** The client's request, streamed upstream as the body (undefined: no body). */
  body: IncomingMessage | undefined;
}

export interface ForwardOutcome {
  /** The status the client was sent. */
  status: number;
  /** Whether the upstream answered (false: unreachable, timed out before its headers, or refused the request). */
  answered: boolean;
}

export interface UpstreamForwarderOptions {
  /** Keep-alive connections per upstream origin. */
  connectionsPerOrigin?: number;
  /** Time to the upstream's answer headers, and between body chunks. */
  timeoutMs?: number;
}

/**
 * Streams requests to upstreams and their answers straight into the client's response, with one
 * keep-alive undici `Pool` per upstream origin and undici's lowest-level API (`dispatch` with a
 * handler): no promise, no intermediate body stream, no per-request origin lookup in an Agent.
 * Measured against undici `Agent.stream` in docs/benchmarks.md (gateway).
 *
 * `forward` resolves once the answer has been written whole (or broken off), with the upstream's
 * status, or with 502 and `answered: false` when the upstream could not be reached and
 * `onUnreachable` answered instead; it never rejects. Backpressure: when the client reads slower than the upstream sends, the upstream is
 * paused until the client's socket drains. A client that goes away aborts the upstream request.
 */
export class UpstreamForwarder {
  private readonly pools = new Map<string, Pool>();
  private readonly connections: number;
  private readonly timeoutMs: number;

  constructor(options: UpstreamForwarderOptions = {}) {
    this.connections = options.connectionsPerOrigin ?? 128;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  forward(
    request: ForwardRequest,
    res: ServerResponse,
    onUnreachable: (res: ServerResponse) => void,
  ): Promise<ForwardOutcome> {
    return new Promise<ForwardOutcome>((resolve) => {
      let status = 502;
      let answered = false;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        res.removeListener('close', onClientClose);
        resolve({ status, answered });
      };
      let controller: Dispatcher.DispatchController | null = null;
      const onClientClose = () => {
        // the client went away before the answer was written whole: stop the upstream request
        if (!res.writableFinished && controller && !controller.aborted)
          controller.abort(new Error('client closed the connection'));
      };
      res.once('close', onClientClose);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
        },
        onResponseStart(_c, statusCode, headers) {
          if (statusCode < 200) return; // 1xx: informational, the final answer follows
          status = statusCode;
          answered = true;
          res.writeHead(statusCode, downstreamHeaders(headers as Record<string, string | string[] | undefined>));
        },
        onResponseData(c, chunk) {
          if (!res.write(chunk)) {
            c.pause();
            res.once('drain', () => c.resume());
          }
        },
        onResponseEnd() {
          res.end();
          finish();
        },
        onResponseError(_c, _error) {
          if (!res.headersSent) {
            status = 502;
            onUnreachable(res);
          } else {
            res.destroy(); // the answer broke off midway: the client must not take it for whole
          }
          finish();
        },
      };
      try {
        this.pool(request.origin).dispatch(
          {
            path: request.path,
            method: request.method as Dispatcher.HttpMethod,
            headers: request.headers,
            body: request.body,
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
          },
          handler,
        );
      } catch (error) {
        handler.onResponseError!(controller!, error as Error); // invalid request options (undici throws before dispatching)
      }
    });
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.connections, pipelining: 1, keepAliveTimeout: 30_000 });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}

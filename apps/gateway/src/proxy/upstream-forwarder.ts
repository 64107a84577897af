import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
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
  /**
   * The most body bytes streamed upstream (default: no limit). One byte more, whatever the
   * Content-Length said (chunked bodies have none), and the upstream request is aborted: the
   * client is answered through `onProblem(res, 'body_too_large')` (413) if the upstream has not
   * answered yet, else its connection is broken off.
   */
  bodyLimit?: number;
}

/** Why the forwarder could not relay an upstream answer: the caller writes the answer. */
export type ForwardProblem = 'unreachable' | 'body_too_large';

export interface ForwardOutcome {
  /** The status the client was sent (502 unreachable, 413 body too large). */
  status: number;
  /** Whether the upstream answered (false: unreachable, timed out before its headers, or refused the request). */
  answered: boolean;
}

/** Thrown into the upstream request's body stream when the client sends more than the limit. */
class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

/**
 * Passes the body on while it stays within `limit` bytes; the chunk that crosses the limit is
 * never passed on, and the stream fails with BodyTooLarge instead. It is piped from the client's
 * request (not the other way round with pipeline(), which would destroy the request, and with it
 * the socket the 413 must be written to).
 */
class BodyLimit extends Transform {
  private seen = 0;
  exceeded = false;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.exceeded = true;
      done(new BodyTooLarge(`request body over ${this.limit} bytes`));
      return;
    }
    done(null, chunk);
  }
}

function limitedBody(body: IncomingMessage, limit: number): BodyLimit {
  const limited = new BodyLimit(limit);
  body.on('error', (err) => limited.destroy(err));
  body.on('aborted', () => limited.destroy(new Error('client aborted the request')));
  body.pipe(limited);
  limited.once('error', () => body.unpipe(limited));
  return limited;
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
 * status, or with 502 and `answered: false` when the upstream could not be reached (413 when the
 * body went over `bodyLimit`) and `onProblem` answered instead; it never rejects. Backpressure:
 * when the client reads slower than the upstream sends, the upstream is paused until the
 * client's socket drains (and a slow upstream pauses the client's body). A client that goes away
 * aborts the upstream request.
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
    onProblem: (res: ServerResponse, problem: ForwardProblem) => void,
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
      const body =
        request.body !== undefined && request.bodyLimit !== undefined
          ? limitedBody(request.body, request.bodyLimit)
          : request.body;
      const tooLarge = () => body instanceof BodyLimit && body.exceeded;
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
          if (res.destroyed) {
            // the client's connection is gone (it closed it, or a client timeout did): nothing to answer
          } else if (!res.headersSent) {
            const problem: ForwardProblem = tooLarge() ? 'body_too_large' : 'unreachable';
            status = problem === 'body_too_large' ? 413 : 502;
            onProblem(res, problem);
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
            body,
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

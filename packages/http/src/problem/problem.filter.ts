import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpProblem, PROBLEM_CONTENT_TYPE, codeForStatus, titleForStatus } from './problem';

/** Domain error code (as the service's errors carry it, e.g. EMAIL_TAKEN) → HTTP status. */
export type StatusByCode = Readonly<Record<string, number>>;

export interface ProblemDetailsFilterOptions {
  statusByCode?: StatusByCode;
  /** Where unexpected errors are logged; defaults to a Nest Logger named "HttpProblem". */
  logger?: Pick<Logger, 'error'>;
}

/** What the filter needs from a Fastify reply (kept structural so tests and adapters can supply it). */
export interface ReplyLike {
  sent?: boolean;
  raw?: { headersSent?: boolean };
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  getHeader(name: string): unknown;
  send(payload: Buffer): unknown;
}

/** The answer the filter decided on, before it is written; exported for tests and custom edges. */
export interface ProblemAnswer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
}

/** Fastify's own request errors (content-type parsing, body limits) with the problem code each gets. */
const FASTIFY_CODES: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'empty_body',
    detail: 'The request has a JSON content type but an empty body.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload_too_large',
    detail: 'The request body is larger than this service accepts.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    detail: 'Request bodies must be JSON (Content-Type: application/json).',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    detail: 'The Content-Length header does not match the request body.',
  },
};

/**
 * Errors of shared packages that every service answers the same way (a service's statusByCode
 * may still override one). The event store's ConcurrencyError means another request changed the
 * same aggregate at the same moment: the client may simply retry. Its message names the stream,
 * which is not the client's business, so the detail is fixed.
 */
const SHARED_CODES: Record<string, { status: number; code: string; detail: string }> = {
  EVENTSTORE_CONCURRENCY: {
    status: 409,
    code: 'concurrent_modification',
    detail: 'Another request changed this resource at the same moment. Retry the request.',
  },
  // the event a request would record is larger than one Kafka message may be: refused before it
  // is stored (request bodies are far smaller; this is the last line of defence)
  EVENTSTORE_EVENT_TOO_LARGE: {
    status: 422,
    code: 'event_too_large',
    detail: 'The change this request describes is too large to record. Send less (shorter texts, fewer items).',
  },
};

const GENERIC_500 = 'An unexpected error occurred. It has been logged.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isHttpException(err: unknown): err is HttpException {
  if (err instanceof HttpException) return true;
  // A second copy of @nestjs/common (another workspace's) would fail instanceof; its shape does not.
  return (
    isRecord(err) &&
    typeof err.getStatus === 'function' &&
    typeof err.getResponse === 'function' &&
    err instanceof Error
  );
}

function problem(status: number, code: string, detail: string): ProblemAnswer {
  return { status, contentType: PROBLEM_CONTENT_TYPE, body: { ...new HttpProblem(status, code, detail).toJSON() } };
}

/**
 * Maps every error that reaches the HTTP edge to RFC 9457 problem+json, except RFC 6750 bearer
 * errors (which stay `{ error, error_description }`). Client faults never become a 5xx.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly statusByCode: StatusByCode;
  private readonly logger: Pick<Logger, 'error'>;

  constructor(options: ProblemDetailsFilterOptions = {}) {
    this.statusByCode = { ...(options.statusByCode ?? {}) };
    for (const [code, status] of Object.entries(this.statusByCode)) {
      if (!Number.isInteger(status) || status < 400 || status > 599)
        throw new RangeError(`statusByCode.${code} must be 400..599, got ${status}`);
    }
    this.logger = options.logger ?? new Logger('HttpProblem');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    this.respond(exception, host.switchToHttp().getResponse<ReplyLike>());
  }

  /** Answers `exception` on a Fastify reply (used by catch() and by the Fastify error handler). */
  respond(exception: unknown, reply: ReplyLike): void {
    const answer = this.answer(exception, reply);
    if (reply.sent || reply.raw?.headersSent) {
      this.logger.error(`An error was raised after the response was sent (status ${answer.status})`);
      return;
    }
    reply
      .status(answer.status)
      .header('content-type', answer.contentType)
      .send(Buffer.from(JSON.stringify(answer.body), 'utf8'));
  }

  /** Decides status, content type and body for an error; `reply` is only read (for WWW-Authenticate). */
  answer(exception: unknown, reply?: Pick<ReplyLike, 'getHeader'>): ProblemAnswer {
    if (exception instanceof HttpProblem) {
      return { status: exception.status, contentType: PROBLEM_CONTENT_TYPE, body: { ...exception.toJSON() } };
    }
    if (isHttpException(exception)) return this.fromHttpException(exception, reply);

    if (isRecord(exception)) {
      const code = exception.code;
      if (typeof code === 'string') {
        const mapped = Object.prototype.hasOwnProperty.call(this.statusByCode, code)
          ? this.statusByCode[code]
          : undefined;
        if (mapped !== undefined) {
          const detail =
            typeof exception.message === 'string' && exception.message ? exception.message : titleForStatus(mapped);
          return problem(mapped, problemCodeOf(code), detail);
        }
        const known = Object.hasOwn(SHARED_CODES, code) ? SHARED_CODES[code] : FASTIFY_CODES[code];
        if (known) return problem(known.status, known.code, known.detail);
      }
      const statusCode = exception.statusCode;
      if (
        typeof code === 'string' &&
        code.startsWith('FST_') &&
        typeof statusCode === 'number' &&
        statusCode >= 400 &&
        statusCode < 500
      ) {
        // Fastify's messages can quote the request (a header, a URL); describe the status instead.
        return problem(
          statusCode,
          codeForStatus(statusCode),
          `The request was refused (${titleForStatus(statusCode)}).`,
        );
      }
    }
    return this.unexpected(exception);
  }

  private fromHttpException(exception: HttpException, reply?: Pick<ReplyLike, 'getHeader'>): ProblemAnswer {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (isRecord(response) && typeof response.error === 'string' && reply && hasHeader(reply, 'www-authenticate')) {
      // RFC 6750 §3: the bearer guard already set WWW-Authenticate; its body stays as it is.
      return { status, contentType: 'application/json; charset=utf-8', body: { ...response } };
    }
    // A 500 (or a non-error status) thrown on purpose is still a fault of ours: log it, say nothing.
    if (status === 500 || status < 400 || status > 599) return this.unexpected(exception);
    return problem(status, codeForStatus(status), detailOf(exception, response, status));
  }

  private unexpected(exception: unknown): ProblemAnswer {
    if (exception instanceof Error) this.logger.error(exception.message, exception.stack);
    else this.logger.error(`A non-Error value was thrown (${typeof exception})`);
    return problem(500, 'internal_error', GENERIC_500);
  }
}

/** EMAIL_TAKEN → email_taken; anything outside [a-z0-9_] becomes "_". */
export function problemCodeOf(domainCode: string): string {
  const code = domainCode
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+/, '');
  return code || 'domain_error';
}

/**
 * Fastify's own client errors (body parsing, limits, media type, bad URL): Nest would turn them
 * into a bare HttpException and lose their code, so the app's Fastify error handler answers them
 * with this filter directly (see configureHttpApp).
 */
/**
 * A Fastify client error (see {@link isFastifyClientError}) described without quoting the request:
 * its status and the sentence our problem answers carry. For protocols that answer such errors
 * in their own format (OAuth's `invalid_request`).
 */
export function describeFastifyClientError(err: Error & { code?: unknown; statusCode?: unknown }): {
  status: number;
  detail: string;
} {
  const known = typeof err.code === 'string' && Object.hasOwn(FASTIFY_CODES, err.code) ? FASTIFY_CODES[err.code] : null;
  if (known) return { status: known.status, detail: known.detail };
  const status = typeof err.statusCode === 'number' ? err.statusCode : 400;
  return { status, detail: `The request was refused (${titleForStatus(status)}).` };
}

export function isFastifyClientError(err: unknown): boolean {
  if (!isRecord(err) || !(err instanceof Error)) return false;
  const { code, statusCode } = err as unknown as Record<string, unknown>;
  return (
    typeof code === 'string' &&
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  );
}

function hasHeader(reply: Pick<ReplyLike, 'getHeader'>, name: string): boolean {
  try {
    const value = reply.getHeader(name);
    return value !== undefined && value !== null && value !== '';
  } catch {
    return false;
  }
}

const ROUTE_NOT_FOUND = /^Cannot ([A-Z]+) /;

function detailOf(exception: HttpException, response: unknown, status: number): string {
  let message: unknown = typeof response === 'string' ? response : undefined;
  if (isRecord(response))
    message = typeof response.error_description === 'string' ? response.error_description : response.message;
  if (typeof message !== 'string' || !message) return titleForStatus(status);
  const notFound = status === 404 ? ROUTE_NOT_FOUND.exec(message) : null;
  if (notFound) {
    // Nest's "Cannot GET /path?query": the query string may carry secrets, so only the method is kept.
    return `No route serves ${notFound[1]} at this path.`;
  }
  return message === exception.name ? titleForStatus(status) : message;
}

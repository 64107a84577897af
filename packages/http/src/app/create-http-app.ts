import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpProblem } from '../problem/problem';
import {
  ProblemDetailsFilter,
  describeFastifyClientError,
  isFastifyClientError,
  type ReplyLike,
  type StatusByCode,
} from '../problem/problem.filter';
import { recordServedRoutes } from '../openapi/served-routes';

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

const REPEATED = Symbol('repeated form fields');

function repeatedOf(body: unknown): Readonly<Record<string, string[]>> {
  return (
    (typeof body === 'object' && body !== null && (body as { [REPEATED]?: Record<string, string[]> })[REPEATED]) || {}
  );
}

/** The fields a form body repeated (first values kept as the field), when parsed with `recordRepeated`. */
export function repeatedFormFields(body: unknown): readonly string[] {
  return Object.keys(repeatedOf(body));
}

/** Every value of a form field, in order (a checkbox list), when parsed with `recordRepeated`. */
export function formFieldValues(body: unknown, name: string): readonly string[] {
  const all = repeatedOf(body)[name];
  if (all) return all;
  const one = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof one === 'string' ? [one] : [];
}

export interface FormOptions {
  /** Forms only under these path prefixes (e.g. `/oauth/`); elsewhere a form is 415 like any non-JSON body. */
  pathPrefixes?: readonly string[];
  /**
   * A repeated field is not refused here but kept first and named in {@link repeatedFormFields},
   * for protocols that answer it in their own words (OAuth's `invalid_request`).
   */
  recordRepeated?: boolean;
  /**
   * How requests under `pathPrefixes` are answered when Fastify refuses them before any route
   * runs (a body that is not a form or JSON, too large, a bad Content-Length): for protocols whose
   * RFC fixes the error format. Without it, such errors are problem+json like everywhere else.
   */
  clientError?: (problem: { status: number; detail: string }) => { status: number; contentType: string; body: string };
}

export interface HttpAppOptions {
  /** The service's domain error codes → HTTP status (e.g. `{ EMAIL_TAKEN: 409 }`). */
  statusByCode?: StatusByCode;
  /** Largest accepted request body; larger → 413 payload_too_large. Default 64 KiB. */
  bodyLimitBytes?: number;
  /**
   * Also accept `application/x-www-form-urlencoded` bodies (parsed into an object of strings;
   * a repeated field → 400). For protocol endpoints that RFCs define as form posts (RFC 7662
   * introspection, RFC 6749 token requests); public JSON APIs leave it off. See {@link FormOptions}
   * to accept forms only under some paths, and to let the protocol answer repeated fields.
   */
  acceptForm?: boolean | FormOptions;
  /** Nest logger (as for NestFactory.create); also receives the filter's error logs. */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * The Latchkey HTTP edge on an app that was created with a FastifyAdapter but not yet initialised:
 * JSON-only bodies within the limit, problem+json errors, the route recorder for servedRoutes().
 * Use it as is in tests: `moduleRef.createNestApplication(new FastifyAdapter({ bodyLimit }))`.
 */
export function configureHttpApp(
  app: NestFastifyApplication,
  options: Omit<HttpAppOptions, 'logger'> = {},
): NestFastifyApplication {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1)
    throw new RangeError(`bodyLimitBytes must be a positive integer, got ${bodyLimit}`);
  const fastify = app.getHttpAdapter().getInstance();
  recordServedRoutes(fastify);

  // JSON is the only body type: Fastify's text/plain parser goes, and Nest's urlencoded parser is
  // never added (useBodyParser marks the parsers as registered). Anything else → 415.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (req, body, done) =>
    parseJson(req as Parameters<typeof parseJson>[0], body.toString('utf8'), done),
  );

  if (options.acceptForm) {
    const form: FormOptions = options.acceptForm === true ? {} : options.acceptForm;
    app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit }, (req, body, done) => {
      const url = (req as { url?: string }).url ?? '';
      if (form.pathPrefixes && !form.pathPrefixes.some((prefix) => url.startsWith(prefix)))
        return done(
          new HttpProblem(
            415,
            'unsupported_media_type',
            'Request bodies must be JSON (Content-Type: application/json).',
          ),
          undefined,
        );
      const params = new URLSearchParams(body.toString('utf8'));
      const fields: Record<string, string> = {};
      const repeated: Record<string, string[]> = {};
      for (const [key, value] of params) {
        if (form.recordRepeated && key !== '__proto__' && Object.hasOwn(fields, key)) {
          (repeated[key] ??= [fields[key]]).push(value);
          continue;
        }
        if (Object.hasOwn(fields, key) || key === '__proto__')
          return done(
            new HttpProblem(
              400,
              'invalid_request',
              `The form field ${JSON.stringify(key.slice(0, 50))} is repeated or not allowed.`,
            ),
            undefined,
          );
        fields[key] = value;
      }
      if (Object.keys(repeated).length > 0)
        Object.defineProperty(fields, REPEATED, { value: repeated, enumerable: false });
      done(null, fields);
    });
  }

  fastify.addHook('onSend', async (_req, reply, payload) => {
    reply.removeHeader('x-powered-by');
    return payload;
  });

  const filter = new ProblemDetailsFilter({ statusByCode: options.statusByCode ?? {} });
  app.useGlobalFilters(filter);
  answerFastifyErrorsDirectly(app, filter, typeof options.acceptForm === 'object' ? options.acceptForm : undefined);
  return app;
}

type ErrorHandler = (this: unknown, error: unknown, request: unknown, reply: unknown, ...rest: unknown[]) => unknown;

/**
 * Nest installs the Fastify error handler in `app.init()`; before handing an error to the filters
 * it turns every FastifyError into `new HttpException(message, statusCode)`, which loses the code
 * (FST_ERR_CTP_INVALID_JSON_BODY and FST_ERR_CTP_EMPTY_JSON_BODY both become a plain 400) and keeps
 * Fastify's message. So the handler Nest installs is wrapped: Fastify's 4xx errors are answered by
 * the filter from the original error, everything else goes to Nest (and then the filter) as before.
 */
function answerFastifyErrorsDirectly(
  app: NestFastifyApplication,
  filter: ProblemDetailsFilter,
  form: FormOptions | undefined,
): void {
  const adapter = app.getHttpAdapter() as unknown as { setErrorHandler(handler: ErrorHandler): unknown };
  const install = adapter.setErrorHandler.bind(adapter);
  const protocol = form?.clientError;
  adapter.setErrorHandler = (nestHandler: ErrorHandler) =>
    install(function (this: unknown, error: unknown, request: unknown, reply: unknown, ...rest: unknown[]) {
      if (isFastifyClientError(error)) {
        const url = (request as { url?: string }).url ?? '';
        if (protocol && form?.pathPrefixes?.some((prefix) => url.startsWith(prefix))) {
          const answer = protocol(describeFastifyClientError(error as Error));
          return (reply as ReplyLike)
            .status(answer.status)
            .header('content-type', answer.contentType)
            .header('cache-control', 'no-store')
            .send(Buffer.from(answer.body));
        }
        return filter.respond(error, reply as ReplyLike);
      }
      return nestHandler.call(this, error, request, reply, ...rest);
    });
}

/** Creates a service's HTTP app (Fastify, the options above). Call `listen()` (or `init()`) after. */
export async function createHttpApp(
  module: Parameters<typeof NestFactory.create>[0],
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ bodyLimit }), {
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
  return configureHttpApp(app, options);
}

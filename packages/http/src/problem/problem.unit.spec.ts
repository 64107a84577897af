import { HttpException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { HttpProblem, codeForStatus } from './problem';
import { ProblemDetailsFilter, isFastifyClientError, problemCodeOf } from './problem.filter';

describe('HttpProblem', () => {
  it('serialises to the RFC 9457 body with the type derived from the code', () => {
    const p = new HttpProblem(400, 'validation_failed', 'The request body is invalid.', {
      errors: [{ path: '/email', message: 'must match format "email"' }],
      extra: { retryable: false },
    });
    expect(p).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(p))).toEqual({
      type: 'https://latchkey.dev/problems/validation_failed',
      title: 'Bad Request',
      status: 400,
      detail: 'The request body is invalid.',
      code: 'validation_failed',
      errors: [{ path: '/email', message: 'must match format "email"' }],
      retryable: false,
    });
  });

  it('leaves errors out when there are none', () => {
    expect(new HttpProblem(404, 'not_found', 'No such user.').toJSON()).not.toHaveProperty('errors');
  });

  it('refuses a non-error status, a non-snake_case code and an extra member hiding a standard one', () => {
    expect(() => new HttpProblem(200, 'ok', 'x')).toThrow(RangeError);
    expect(() => new HttpProblem(400, 'ValidationFailed', 'x')).toThrow(RangeError);
    expect(() => new HttpProblem(400, 'bad', 'x', { extra: { status: 200 } })).toThrow(RangeError);
  });

  it.each([
    [404, 'not_found'],
    [405, 'method_not_allowed'],
    [409, 'conflict'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
    [429, 'too_many_requests'],
    [500, 'internal_error'],
    [503, 'service_unavailable'],
    [499, 'client_error'],
  ])('codeForStatus(%i) = %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});

describe('ProblemDetailsFilter.answer', () => {
  const errors: unknown[][] = [];
  const filter = new ProblemDetailsFilter({
    statusByCode: { EMAIL_TAKEN: 409 },
    logger: { error: (...a: unknown[]) => void errors.push(a) },
  });
  const noHeaders = { getHeader: () => undefined };
  beforeEach(() => (errors.length = 0));

  it('maps a domain error by code and uses its message', () => {
    const err = Object.assign(new Error('That email is registered.'), { code: 'EMAIL_TAKEN' });
    const a = filter.answer(err, noHeaders);
    expect(a).toMatchObject({
      status: 409,
      contentType: 'application/problem+json',
      body: { code: 'email_taken', detail: 'That email is registered.' },
    });
    expect(errors).toEqual([]);
  });

  it('answers a domain error whose code is not mapped as a logged 500', () => {
    const err = Object.assign(new Error('secret detail'), { code: 'SOMETHING_ELSE' });
    const a = filter.answer(err, noHeaders);
    expect(a.status).toBe(500);
    expect(JSON.stringify(a.body)).not.toContain('secret detail');
    expect(errors).toHaveLength(1);
  });

  it('answers a thrown non-Error as a 500', () => {
    expect(filter.answer('oops', noHeaders)).toMatchObject({ status: 500, body: { code: 'internal_error' } });
  });

  it('answers an unknown Fastify 4xx with its status and no Fastify message', () => {
    const err = Object.assign(new Error("Unsupported thing: 'x-secret'"), {
      name: 'FastifyError',
      code: 'FST_ERR_SOMETHING',
      statusCode: 431,
    });
    expect(isFastifyClientError(err)).toBe(true);
    const a = filter.answer(err, noHeaders);
    expect(a).toMatchObject({ status: 431, body: { code: 'request_header_fields_too_large' } });
    expect(JSON.stringify(a.body)).not.toContain('x-secret');
  });

  it('does not take a Fastify 5xx, or an error without the FST_ prefix, for a client fault', () => {
    expect(isFastifyClientError(Object.assign(new Error('x'), { code: 'FST_ERR_X', statusCode: 500 }))).toBe(false);
    expect(isFastifyClientError(Object.assign(new Error('x'), { code: 'ECONNRESET', statusCode: 400 }))).toBe(false);
  });

  it('passes a bearer body through only when WWW-Authenticate is already set', () => {
    const ex = new HttpException({ error: 'invalid_token', error_description: 'The token expired' }, 401);
    const withChallenge = filter.answer(ex, {
      getHeader: (n: string) => (n === 'www-authenticate' ? 'Bearer realm="latchkey"' : undefined),
    });
    expect(withChallenge).toEqual({
      status: 401,
      contentType: 'application/json; charset=utf-8',
      body: { error: 'invalid_token', error_description: 'The token expired' },
    });
    const without = filter.answer(ex, noHeaders);
    expect(without).toMatchObject({
      status: 401,
      contentType: 'application/problem+json',
      body: { code: 'unauthorized', detail: 'The token expired' },
    });
  });

  it('keeps the message of a deliberate Nest exception, and a generic one when there is none', () => {
    expect(filter.answer(new NotFoundException('No such user.'), noHeaders).body).toMatchObject({
      code: 'not_found',
      detail: 'No such user.',
    });
    expect(filter.answer(new UnauthorizedException(), noHeaders).body).toMatchObject({
      code: 'unauthorized',
      detail: 'Unauthorized',
    });
  });

  it('answers a deliberate 500 HttpException without its message', () => {
    const a = filter.answer(new HttpException('db host 10.0.0.5 down', 500), noHeaders);
    expect(a.status).toBe(500);
    expect(JSON.stringify(a.body)).not.toContain('10.0.0.5');
  });

  it("answers the event store's ConcurrencyError 409 concurrent_modification, never 500, without naming the stream", () => {
    // the shape of @latchkey/eventstore's ConcurrencyError (this package does not depend on it)
    const conflict = Object.assign(new Error('stream 3f6c…: expected version 4, found 5'), {
      name: 'ConcurrencyError',
      code: 'EVENTSTORE_CONCURRENCY',
    });
    const answer = new ProblemDetailsFilter({ logger: { error: () => undefined } }).answer(conflict, noHeaders);
    expect(answer).toEqual({
      status: 409,
      contentType: 'application/problem+json',
      body: {
        type: 'https://latchkey.dev/problems/concurrent_modification',
        title: 'Conflict',
        status: 409,
        code: 'concurrent_modification',
        detail: 'Another request changed this resource at the same moment. Retry the request.',
      },
    });
    // a service may still map the code its own way
    const own = new ProblemDetailsFilter({ statusByCode: { EVENTSTORE_CONCURRENCY: 503 } }).answer(conflict, noHeaders);
    expect(own.status).toBe(503);
  });

  it("answers the event store's EventTooLargeError 422 event_too_large, never 500", () => {
    const tooLarge = Object.assign(new Error('event of 2,000,000 bytes exceeds 900,000'), {
      name: 'EventTooLargeError',
      code: 'EVENTSTORE_EVENT_TOO_LARGE',
    });
    const answer = new ProblemDetailsFilter({ logger: { error: () => undefined } }).answer(tooLarge, noHeaders);
    expect([answer.status, (answer.body as { code: string }).code]).toEqual([422, 'event_too_large']);
    expect(JSON.stringify(answer.body)).not.toContain('2,000,000');
  });

  it('refuses a statusByCode entry that is not an error status', () => {
    expect(() => new ProblemDetailsFilter({ statusByCode: { X: 200 } })).toThrow(RangeError);
  });

  it('turns domain codes into snake_case problem codes', () => {
    expect(problemCodeOf('USER_NOT_FOUND')).toBe('user_not_found');
    expect(problemCodeOf('user-not-found')).toBe('user_not_found');
    expect(problemCodeOf('EVENTSTORE_CONCURRENCY')).toBe('eventstore_concurrency');
  });
});

import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';

/** RFC 9457 problem details, the gateway's own error answers (bearer failures are RFC 6750 JSON). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The body of a problem: stable `code`, human `detail`, and optional extra members (e.g. `reason`). */
export function problemBody(status: number, code: string, detail: string, extra: Record<string, string> = {}): string {
  return JSON.stringify({
    type: `https://latchkey.dev/problems/${code}`,
    title: code.replace(/_/g, ' '),
    status,
    detail,
    code,
    ...extra,
  });
}

export interface ProblemOptions {
  headers?: Record<string, string>;
  /** Extra members of the body. */
  extra?: Record<string, string>;
}

/** Answers a problem through Fastify. */
export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  options: ProblemOptions = {},
): FastifyReply {
  return reply
    .code(status)
    .headers(options.headers ?? {})
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(status, code, detail, options.extra));
}

/** Answers a problem on a bare Node response (before Fastify, or in a hijacked reply). */
export function writeProblem(
  res: ServerResponse,
  status: number,
  code: string,
  detail: string,
  options: ProblemOptions = {},
): void {
  const body = problemBody(status, code, detail, options.extra);
  res
    .writeHead(status, {
      ...options.headers,
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': String(Buffer.byteLength(body)),
    })
    .end(body);
}

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
};

/**
 * Writes a problem straight onto a socket and closes it: for errors Node's HTTP parser reports
 * (`clientError`), when no response object exists. Only when nothing of an answer has been
 * written on the socket yet, as Node itself does, so an answer in flight is never corrupted.
 */
export function writeProblemToSocket(socket: Socket, status: number, code: string, detail: string): void {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = problemBody(status, code, detail);
    socket.write(
      `HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? 'Error'}\r\n` +
        `content-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}

/** RFC 9457 problem details: the one error shape every Latchkey service answers with. */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://latchkey.dev/problems/';

/** One failed rule: where (a JSON pointer into the request part) and which rule, never the value. */
export interface ProblemFieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: ProblemFieldError[];
  [extra: string]: unknown;
}

export interface HttpProblemOptions {
  title?: string;
  errors?: ProblemFieldError[];
  /** Extra members of the problem body (must not collide with the standard ones). */
  extra?: Record<string, unknown>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The standard reason phrase of a status ("Error" for an unknown 5xx, "Bad Request"-like otherwise). */
export function titleForStatus(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** The generic snake_case code of a status: 404 → not_found, 503 → service_unavailable. */
export function codeForStatus(status: number): string {
  const title = TITLES[status];
  if (status === 500) return 'internal_error';
  if (status === 422) return 'unprocessable_content';
  if (!title) return status >= 500 ? 'server_error' : 'client_error';
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'errors']);
const CODE_PATTERN = /^[a-z][a-z0-9_]*$/;

/** An error that is answered as it is: status, stable code, human detail, optional field errors. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors?: ProblemFieldError[];
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, options: HttpProblemOptions = {}) {
    super(detail);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new RangeError(`problem status must be 400..599, got ${status}`);
    if (!CODE_PATTERN.test(code)) throw new RangeError(`problem code must be snake_case, got "${code}"`);
    for (const key of Object.keys(options.extra ?? {})) {
      if (RESERVED.has(key)) throw new RangeError(`problem extra member "${key}" collides with a standard member`);
    }
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.title = options.title ?? titleForStatus(status);
    this.detail = detail;
    if (options.errors) this.errors = options.errors;
    this.extra = { ...(options.extra ?? {}) };
  }

  /** The problem+json body. */
  toJSON(): ProblemBody {
    const body: ProblemBody = {
      type: PROBLEM_TYPE_BASE + this.code,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
    };
    if (this.errors) body.errors = this.errors.map((e) => ({ path: e.path, message: e.message }));
    return { ...body, ...this.extra };
  }
}

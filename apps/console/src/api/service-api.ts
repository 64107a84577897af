/** A refusal of one of the services' APIs (RFC 9457 problem+json), in words fit for a page. */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** Per-field messages (validation), keyed by the field's JSON pointer without the leading slash. */
    readonly fields: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export interface ApiOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Calls one service's public API with the session's access token. Answers the JSON body; a
 * refusal becomes an {@link ApiProblem} carrying the service's own words; a service that cannot
 * be reached or answers garbage becomes one too (status 502), so a page always has words to show.
 */
export class ServiceApi {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(
    private readonly baseUrl: string,
    private readonly service: string,
    options: ApiOptions = {},
  ) {
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** `accessToken` null: a public route (the first sign-in). */
  async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    accessToken: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(accessToken === null ? {} : { authorization: `Bearer ${accessToken}` }),
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new ApiProblem(
        502,
        'unreachable',
        `The ${this.service} cannot be reached just now; try again in a moment.`,
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const problem = (json ?? {}) as { code?: unknown; detail?: unknown; errors?: unknown };
    const fields: Record<string, string> = {};
    if (Array.isArray(problem.errors))
      for (const e of problem.errors as Array<{ path?: unknown; message?: unknown }>)
        if (typeof e.path === 'string' && typeof e.message === 'string')
          fields[e.path.replace(/^\//, '')] ??= e.message;
    throw new ApiProblem(
      res.status,
      typeof problem.code === 'string' ? problem.code : `http_${res.status}`,
      typeof problem.detail === 'string' ? problem.detail : `The ${this.service} answered ${res.status}.`,
      fields,
    );
  }
}

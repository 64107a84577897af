import type { IntrospectedToken, IntrospectFn } from './miss-fallback';

export interface HttpIntrospectionOptions {
  /** token-service's internal introspection endpoint, e.g. `http://token-service:3103/internal/introspect`. */
  url: string;
  /** The service credential, sent as `Authorization: Bearer …` (never logged). */
  credential?: string;
  /** Per call (default 500 ms): a slow token service must not hold the caller's request. */
  timeoutMs?: number;
}

const SUBJECT_KINDS = new Set(['human', 'api', 'contact', 'client']);

/**
 * An IntrospectFn over HTTP: `POST url` with the form body `token_hash=<SHA-256 base64url>` (the
 * raw token never leaves the process), answered with RFC 7662 fields plus ours (token_id,
 * grant_id, subject_kind, accounts). Any non-200, timeout or malformed answer throws, which the
 * MissFallback turns into `unknown` (fail closed).
 */
export function httpIntrospection(options: HttpIntrospectionOptions): IntrospectFn {
  const timeoutMs = options.timeoutMs ?? 500;
  return async (tokenHash) => {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (options.credential) headers.authorization = `Bearer ${options.credential}`;
    const response = await fetch(options.url, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ token_hash: tokenHash }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`introspection answered ${response.status}`);
    }
    return parseIntrospection(await response.json());
  };
}

/** Checks an introspection answer's shape; throws on anything that is not one. */
export function parseIntrospection(body: unknown): IntrospectedToken {
  if (typeof body !== 'object' || body === null || typeof (body as { active?: unknown }).active !== 'boolean')
    throw new Error('not an introspection answer');
  const b = body as Record<string, unknown>;
  if (b.active === false) return { active: false };
  const str = (k: string) => {
    if (b[k] === undefined || b[k] === null) return undefined;
    if (typeof b[k] !== 'string') throw new Error(`introspection field ${k} is not a string`);
    return b[k] as string;
  };
  const accounts = b.accounts;
  if (accounts !== undefined && !(Array.isArray(accounts) && accounts.every((a) => typeof a === 'string')))
    throw new Error('introspection field accounts is not a list of strings');
  const num = (k: string) => {
    if (b[k] === undefined || b[k] === null) return undefined;
    if (typeof b[k] !== 'number' || !Number.isFinite(b[k])) throw new Error(`introspection field ${k} is not a number`);
    return b[k] as number;
  };
  const kind = str('subject_kind');
  if (kind !== undefined && !SUBJECT_KINDS.has(kind)) throw new Error('introspection field subject_kind is unknown');
  return {
    active: true,
    sub: str('sub'),
    subject_kind: kind as IntrospectedToken['subject_kind'],
    token_id: str('token_id'),
    grant_id: str('grant_id'),
    client_id: str('client_id'),
    accounts: accounts as string[] | undefined,
    scope: str('scope'),
    exp: num('exp'),
    user_version: num('user_version'),
    application_version: num('application_version'),
  };
}

import type { ActiveToken, InactiveReason, VerifyOptions, VerifyResult } from '../verify';

/** Anything that verifies a token: a `TokenVerifier`, or a plain `{ verify, isReady }` object. */
export interface BearerVerifier {
  verify(token: string, options?: VerifyOptions): VerifyResult;
  readonly isReady: boolean;
  /**
   * Whether the verifier cannot vouch for tokens right now (its projection is behind Kafka past its
   * staleness limit, or a partition is stuck): protected routes then answer 503 — fail closed.
   */
  isStale?(): boolean;
}

/** Where a route takes the account it acts in from. */
export type AccountSource = { header: string } | { param: string };

export interface BearerRequirements {
  /** Scopes the token must have (effective scopes, in the account if one is given). */
  scopes?: readonly string[];
  /** The account the request acts in; the token must be allowed in it. */
  account?: AccountSource;
}

/** The request fields read: works with Fastify (raw.rawHeaders) and Express/Node (rawHeaders). */
export interface BearerRequest {
  headers: Record<string, string | string[] | undefined>;
  rawHeaders?: readonly string[];
  raw?: { rawHeaders?: readonly string[] };
  url?: string;
  query?: unknown;
  body?: unknown;
  params?: unknown;
}

export interface BearerErrorBody {
  error: string;
  error_description: string;
}

export interface BearerFailure {
  status: 400 | 401 | 403 | 503;
  headers: Record<string, string>;
  body: BearerErrorBody;
}

export type BearerOutcome = { ok: true; token: ActiveToken } | { ok: false; failure: BearerFailure };

export const REALM = 'latchkey';
/** Longer credentials are refused before any lookup (Latchkey tokens are ~60 chars). */
export const MAX_TOKEN_LENGTH = 1024;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

const REASON_TEXT: Record<InactiveReason, string> = {
  malformed: 'The access token is malformed',
  bad_checksum: 'The access token is malformed',
  unknown: 'The access token is unknown',
  expired: 'The access token has expired',
  token_revoked: 'The access token has been revoked',
  grant_revoked: 'The access token has been revoked',
  user_deactivated: 'The user of the access token is deactivated',
  application_disabled: 'The application of the access token is disabled',
  account_not_allowed: 'The access token may not act in this account',
};

export type Extraction = { kind: 'token'; token: string } | { kind: 'none' } | { kind: 'invalid'; description: string };

function authorizationHeaderCount(req: BearerRequest): number {
  const raw = req.raw?.rawHeaders ?? req.rawHeaders;
  if (!raw) return Array.isArray(req.headers.authorization) ? req.headers.authorization.length : 0;
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === 'authorization') n++;
  return n;
}

function hasAccessTokenField(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'access_token');
}

function queryHasAccessToken(req: BearerRequest): boolean {
  if (hasAccessTokenField(req.query)) return true;
  const q = req.url?.indexOf('?') ?? -1;
  return q >= 0 && new URLSearchParams(req.url!.slice(q + 1)).has('access_token');
}

/** RFC 6750 §2.1 only: `Authorization: Bearer <b64token>`; the query (§2.3) and form body (§2.2) methods are refused. */
export function extractBearerToken(req: BearerRequest): Extraction {
  const count = authorizationHeaderCount(req);
  const header = req.headers.authorization;
  if (count > 1 || Array.isArray(header)) return { kind: 'invalid', description: 'More than one Authorization header' };
  if (queryHasAccessToken(req))
    return { kind: 'invalid', description: 'Send the token in the Authorization header, not in the query string' };
  if (hasAccessTokenField(req.body))
    return { kind: 'invalid', description: 'Send the token in the Authorization header, not in the request body' };
  if (header === undefined) return { kind: 'none' };
  if (header.trim() === '') return { kind: 'invalid', description: 'Empty Authorization header' };
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'none' }; // another scheme: challenge for ours
  const credentials = space < 0 ? '' : header.slice(space).replace(/^ +/, '');
  if (credentials === '') return { kind: 'invalid', description: 'Missing bearer token' };
  if (/\s/.test(credentials)) return { kind: 'invalid', description: 'Exactly one bearer token expected' };
  if (credentials.length > MAX_TOKEN_LENGTH) return { kind: 'invalid', description: 'Bearer token too long' };
  if (!B64TOKEN.test(credentials))
    return { kind: 'invalid', description: 'Bearer token has characters outside b64token' };
  return { kind: 'token', token: credentials };
}

function challenge(params: Record<string, string> = {}): string {
  return [
    `Bearer realm="${REALM}"`,
    ...Object.entries(params).map(([k, v]) => `${k}="${v.replace(/["\\]/g, '')}"`),
  ].join(', ');
}

function failure(
  status: 400 | 401 | 403,
  error: string,
  description: string,
  extra: Record<string, string> = {},
): BearerOutcome {
  return {
    ok: false,
    failure: {
      status,
      headers: { 'WWW-Authenticate': challenge({ error, error_description: description, ...extra }) },
      body: { error, error_description: description },
    },
  };
}

const unauthenticated = (description: string): BearerOutcome => ({
  ok: false,
  failure: {
    status: 401,
    headers: { 'WWW-Authenticate': challenge() },
    body: { error: 'unauthorized', error_description: description },
  },
});

const unavailable = (description = 'The token verifier is not ready yet'): BearerOutcome => ({
  ok: false,
  failure: {
    status: 503,
    headers: { 'Retry-After': '5' },
    body: { error: 'temporarily_unavailable', error_description: description },
  },
});

function resolveAccount(
  req: BearerRequest,
  source: AccountSource,
): { ok: true; account: string } | { ok: false; description: string } {
  const value =
    'header' in source
      ? req.headers[source.header.toLowerCase()]
      : typeof req.params === 'object' && req.params !== null
        ? (req.params as Record<string, unknown>)[source.param]
        : undefined;
  const name = 'header' in source ? `${source.header} header` : `${source.param} path parameter`;
  if (typeof value !== 'string' || value.trim() === '')
    return { ok: false, description: `Missing or repeated ${name}` };
  return { ok: true, account: value };
}

type Prepared =
  | { ok: true; token: string; account: string | undefined; requiredScopes: readonly string[] }
  | { ok: false; outcome: BearerOutcome };

/** Everything before the lookup: extraction, the account, readiness. */
function prepare(verifier: BearerVerifier, req: BearerRequest, requirements: BearerRequirements): Prepared {
  const extraction = extractBearerToken(req);
  if (extraction.kind === 'invalid')
    return { ok: false, outcome: failure(400, 'invalid_request', extraction.description) };
  if (extraction.kind === 'none') return { ok: false, outcome: unauthenticated('A bearer token is required') };
  let account: string | undefined;
  if (requirements.account) {
    const resolved = resolveAccount(req, requirements.account);
    if (!resolved.ok) return { ok: false, outcome: failure(400, 'invalid_request', resolved.description) };
    account = resolved.account;
  }
  if (!verifier.isReady) return { ok: false, outcome: unavailable() };
  if (verifier.isStale?.() === true) {
    return {
      ok: false,
      outcome: unavailable('The token verifier is not caught up with Kafka; it cannot vouch for tokens right now'),
    };
  }
  return { ok: true, token: extraction.token, account, requiredScopes: requirements.scopes ?? [] };
}

/** The RFC 6750 answer for a verification result. */
function conclude(result: VerifyResult, requiredScopes: readonly string[]): BearerOutcome {
  if (!result.active) {
    if (result.reason === 'account_not_allowed')
      return failure(403, 'insufficient_scope', REASON_TEXT.account_not_allowed);
    return failure(401, 'invalid_token', REASON_TEXT[result.reason] ?? 'The access token is invalid');
  }
  if (result.missingScopes.length > 0) {
    return failure(403, 'insufficient_scope', `The access token lacks: ${result.missingScopes.join(' ')}`, {
      scope: requiredScopes.join(' '),
    });
  }
  return { ok: true, token: result };
}

/** Extracts, verifies and checks a bearer token against the requirements; the RFC 6750 §3 answer on failure. */
export function authenticateBearer(
  verifier: BearerVerifier,
  req: BearerRequest,
  requirements: BearerRequirements = {},
): BearerOutcome {
  const prepared = prepare(verifier, req, requirements);
  if (!prepared.ok) return prepared.outcome;
  let result: VerifyResult;
  try {
    result = verifier.verify(prepared.token, { account: prepared.account, requiredScopes: prepared.requiredScopes });
  } catch {
    return unavailable();
  }
  return conclude(result, prepared.requiredScopes);
}

/** A verifier that can also look a token up elsewhere when its projection does not know it yet (TokenVerifier with a MissFallback). */
export interface FallbackBearerVerifier extends BearerVerifier {
  verifyWithFallback(token: string, options?: VerifyOptions, context?: FallbackContext): Promise<VerifyResult>;
}

/** Who asks, for the fallback's per-client budget (e.g. the client's address). */
export interface FallbackContext {
  clientKey?: string;
}

/**
 * authenticateBearer, with the miss fallback: a well-formed token the projection does not know
 * (used milliseconds after issue) is checked once elsewhere. Only an unknown token waits.
 */
export async function authenticateBearerWithFallback(
  verifier: FallbackBearerVerifier,
  req: BearerRequest,
  requirements: BearerRequirements = {},
  context: FallbackContext = {},
): Promise<BearerOutcome> {
  const prepared = prepare(verifier, req, requirements);
  if (!prepared.ok) return prepared.outcome;
  const options = { account: prepared.account, requiredScopes: prepared.requiredScopes };
  let result: VerifyResult;
  try {
    result = verifier.verify(prepared.token, options);
    if (!result.active && result.reason === 'unknown')
      result = await verifier.verifyWithFallback(prepared.token, options, context);
  } catch {
    return unavailable();
  }
  return conclude(result, prepared.requiredScopes);
}

import type { IncomingHttpHeaders } from 'node:http';
import type { ActiveToken } from '@latchkey/token-verifier';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1), ones the proxy sets itself, and `expect` (the gateway
 * answers 100-continue itself, once the request is authorized and routed): never copied across.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/**
 * Where a request came through (RFC 7239 and the de-facto headers): believed only from a trusted
 * proxy, dropped from anyone else.
 */
export const FORWARDING_HEADERS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-server',
  'x-forwarded-ssl',
  'x-forwarded-scheme',
  'x-client-ip',
  'true-client-ip',
  'x-cluster-client-ip',
]);

/**
 * Headers with which some frameworks let a request override its own path or method
 * (IIS/Symfony `X-Original-URL`, `X-Rewrite-URL`; Rails/Express/Symfony method overrides): the
 * gateway routed the path and method it saw, so these are dropped from everyone.
 */
export const OVERRIDE_HEADERS: ReadonlySet<string> = new Set([
  'x-original-url',
  'x-rewrite-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);

/** The verified identity headers upstreams receive; the same names arriving from clients are dropped. */
export const IDENTITY_HEADERS = {
  subject: 'x-auth-subject',
  subjectKind: 'x-auth-subject-kind',
  account: 'x-auth-account',
  scopes: 'x-auth-scopes',
  tokenId: 'x-auth-token-id',
  grantId: 'x-auth-grant-id',
  clientId: 'x-auth-client-id',
} as const;

/**
 * A header name as nginx, CGI, Rack, Django and others fold it: lower case (Node already gives
 * names lower-cased) with `_` read as `-`, so `X_Auth_Subject` and `x-auth_subject` are the same
 * header as `X-Auth-Subject` to an upstream.
 */
export function foldHeaderName(name: string): string {
  return name.includes('_') ? name.replace(/_/g, '-') : name;
}

export interface UpstreamHeaderOptions {
  identity: ActiveToken | null;
  account: string | null;
  forwardToken: boolean;
  /** The immediate peer's address (the socket's). */
  peerAddress: string;
  /** Whether the peer is a trusted proxy: then its forwarding headers are kept and extended. */
  peerTrusted: boolean;
  /** `http` or `https`, as the gateway was reached. */
  protocol: string;
}

/**
 * The headers sent upstream: the client's, minus hop-by-hop ones, minus every header that folds
 * (see {@link foldHeaderName}) to an `x-auth-*` name (only the gateway speaks for identity), minus
 * path/method overrides, minus forwarding headers unless the peer is a trusted proxy (and always
 * their non-canonical spellings), minus `authorization` unless the route forwards the token; plus
 * the verified identity (when there is one) and the gateway's own X-Forwarded-For (the trusted
 * chain, then the peer), -Proto and -Host (a trusted proxy's own, else the gateway's).
 */
export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  options: UpstreamHeaderOptions,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    const folded = foldHeaderName(name);
    if (folded.startsWith('x-auth-') || OVERRIDE_HEADERS.has(folded)) continue;
    if (FORWARDING_HEADERS.has(folded) && (!options.peerTrusted || folded !== name)) continue;
    if (name === 'authorization' && !options.forwardToken) continue;
    out[name] = value;
  }
  const trustedFor = options.peerTrusted ? incoming['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] = trustedFor
    ? `${Array.isArray(trustedFor) ? trustedFor.join(', ') : trustedFor}, ${options.peerAddress}`
    : options.peerAddress;
  if (!(options.peerTrusted && incoming['x-forwarded-proto'] !== undefined))
    out['x-forwarded-proto'] = options.protocol;
  if (!(options.peerTrusted && incoming['x-forwarded-host'] !== undefined) && incoming.host)
    out['x-forwarded-host'] = incoming.host;
  const t = options.identity;
  if (t !== null) {
    if (t.subject !== null) out[IDENTITY_HEADERS.subject] = t.subject;
    if (t.subjectKind !== null) out[IDENTITY_HEADERS.subjectKind] = t.subjectKind;
    if (options.account !== null) out[IDENTITY_HEADERS.account] = options.account;
    out[IDENTITY_HEADERS.scopes] = t.effectiveScopes.join(' ');
    out[IDENTITY_HEADERS.tokenId] = t.tokenId;
    out[IDENTITY_HEADERS.grantId] = t.grantId;
    if (t.clientId !== null) out[IDENTITY_HEADERS.clientId] = t.clientId;
  }
  return out;
}

/** Response headers copied back to the client (hop-by-hop ones dropped). */
export function downstreamHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'content-length')) continue;
    out[name] = value;
  }
  return out;
}

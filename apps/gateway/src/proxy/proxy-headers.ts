import type { IncomingHttpHeaders } from 'node:http';
import type { ActiveToken } from '@latchkey/token-verifier';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones the proxy sets itself: never copied across. */
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
 * The headers sent upstream: the client's, minus hop-by-hop ones, minus every `x-auth-*` header
 * (only the gateway speaks for identity), minus `authorization` unless the route forwards the
 * token; plus the verified identity (when there is one) and X-Forwarded-*.
 */
export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  options: {
    identity: ActiveToken | null;
    account: string | null;
    forwardToken: boolean;
    clientAddress: string;
    protocol: string;
  },
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('x-auth-')) continue;
    if (name === 'authorization' && !options.forwardToken) continue;
    out[name] = value;
  }
  const forwardedFor = incoming['x-forwarded-for'];
  out['x-forwarded-for'] = forwardedFor
    ? `${Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor}, ${options.clientAddress}`
    : options.clientAddress;
  out['x-forwarded-proto'] = options.protocol;
  if (incoming.host) out['x-forwarded-host'] = incoming.host;
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

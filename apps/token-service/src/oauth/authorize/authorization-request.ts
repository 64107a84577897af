import { isScope } from '@latchkey/contracts';
import { redirectUriMatches } from '@latchkey/domain';
import { coveredBy, expandScopes } from '../../domain/scopes';
import type { OAuthClient } from '../clients/oauth-client';
import { OAuthError } from '../oauth-error';
import { requireS256Challenge } from '../pkce/pkce';

/** The query of an authorization request, every value of every name (so duplicates are seen). */
export type RequestParameters = Readonly<Record<string, readonly string[]>>;

/** A valid authorization request: what the login and consent pages carry, and the code binds. */
export interface AuthorizationRequest {
  client: OAuthClient;
  /** As requested (it matched a registered one), or the only registered one when left out. */
  redirectUri: string;
  /** Whether the request named it: then the token request must name the same (RFC 6749 §4.1.3). */
  redirectUriGiven: boolean;
  /** Expanded, sorted, unique; within the client's ceiling. */
  scopes: string[];
  codeChallenge: string;
  /** Returned unchanged; null when the client sent none. */
  state: string | null;
}

export const STATE_MAX_LENGTH = 2000;
/** Parameters that may appear at most once (RFC 6749 §3.1: "MUST NOT be included more than once"). */
const SINGLE = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'response_mode',
  'request',
  'request_uri',
] as const;

/**
 * Checks an authorization request, in the order that decides where an error may go
 * (RFC 6749 §4.1.2.1): until the client and the redirect URI are known good, an error is shown to
 * the user and never redirected (an open redirector otherwise); after that, errors go back to the
 * client's redirect URI. Each step is its own function below.
 */
export function validateAuthorizationRequest(
  params: RequestParameters,
  findClient: (clientId: string) => OAuthClient | null,
  options: { pushed?: boolean } = {},
): AuthorizationRequest {
  const pushed = options.pushed === true;
  const one = singleValues(params);
  const client = resolveClient(one.client_id, findClient);
  const redirectUri = matchRedirectUri(client, one.redirect_uri);
  const redirectable = <T>(step: () => T): T => {
    try {
      return step();
    } catch (e) {
      throw e instanceof OAuthError && !e.redirectable ? e.toRedirect() : e;
    }
  };
  redirectable(() => refuseDuplicates(params));
  redirectable(() => refuseRequestObjects(one));
  redirectable(() => requirePushedWhenRequired(client, pushed));
  redirectable(() => requireCodeResponse(client, one.response_type, one.response_mode));
  const codeChallenge = redirectable(() => requireS256Challenge(one.code_challenge, one.code_challenge_method));
  const scopes = redirectable(() => requestedScopes(client, one.scope));
  const state = redirectable(() => checkState(one.state));
  return { client, redirectUri, redirectUriGiven: one.redirect_uri !== undefined, scopes, codeChallenge, state };
}

type Singles = Partial<Record<(typeof SINGLE)[number], string>>;

/** The first value of each single parameter; a duplicated client_id or redirect_uri cannot be trusted at all. */
export function singleValues(params: RequestParameters): Singles {
  for (const name of ['client_id', 'redirect_uri'] as const)
    if ((params[name]?.length ?? 0) > 1) throw new OAuthError('invalid_request', `${name} must not be repeated`);
  const out: Singles = {};
  for (const name of SINGLE) {
    const values = params[name];
    if (values !== undefined && values.length > 0) out[name] = values[0];
  }
  return out;
}

export function resolveClient(
  clientId: string | undefined,
  findClient: (clientId: string) => OAuthClient | null,
): OAuthClient {
  if (clientId === undefined || clientId === '') throw new OAuthError('invalid_request', 'client_id is required');
  const client = findClient(clientId);
  if (!client || client.status !== 'active') throw new OAuthError('invalid_client', 'unknown or inactive client');
  return client;
}

/**
 * The redirect URI, compared character for character with the registered ones (no prefix,
 * no normalisation: a trailing slash or an extra query parameter is another URI). It may be left
 * out only when the client registered exactly one.
 */
export function matchRedirectUri(client: OAuthClient, redirectUri: string | undefined): string {
  if (redirectUri === undefined) {
    if (client.redirectUris.length === 1) return client.redirectUris[0];
    throw new OAuthError('invalid_request', 'redirect_uri is required (the client has several)');
  }
  // the registry's rule: exact, except a loopback http URI's port (RFC 8252 §7.3)
  if (!redirectUriMatches(client.redirectUris, redirectUri))
    throw new OAuthError('invalid_request', 'redirect_uri is not one of the client’s registered redirect URIs');
  return redirectUri;
}

export function refuseDuplicates(params: RequestParameters): void {
  for (const name of SINGLE)
    if ((params[name]?.length ?? 0) > 1) throw new OAuthError('invalid_request', `${name} must not be repeated`);
}

export function refuseRequestObjects(one: Singles): void {
  if (one.request !== undefined) throw new OAuthError('invalid_request', 'request objects are not supported');
  // a request_uri is resolved before validation (a pushed request's parameters); one left here is no reference of ours
  if (one.request_uri !== undefined)
    throw new OAuthError('invalid_request', 'request_uri must be one this server issued at /oauth/par');
}

/** An application may require every authorization request to be pushed first (RFC 9126 §5). */
export function requirePushedWhenRequired(client: OAuthClient, pushed: boolean): void {
  if (client.requirePushedRequests && !pushed)
    throw new OAuthError('invalid_request', 'this client must push its authorization requests to /oauth/par');
}

/** Authorization code only: no implicit grant (RFC 9700 §2.1.2), responses in the query only. */
export function requireCodeResponse(
  client: OAuthClient,
  responseType: string | undefined,
  responseMode: string | undefined,
): void {
  if (responseType === undefined || responseType === '')
    throw new OAuthError('invalid_request', 'response_type is required');
  if (responseType !== 'code')
    throw new OAuthError('unsupported_response_type', 'only response_type=code is supported');
  if (responseMode !== undefined && responseMode !== 'query')
    throw new OAuthError('invalid_request', 'only response_mode=query is supported');
  if (!client.grantTypes.includes('authorization_code'))
    throw new OAuthError('unauthorized_client', 'the client may not use the authorization code grant');
}

/**
 * Space-delimited scopes (RFC 6749 §3.3) within the client's ceiling; none requested → the whole
 * ceiling. The console asks for none: its grant carries its user's permissions, known only once
 * the user has signed in (OAuthGrantCommands.consent).
 */
export function requestedScopes(client: OAuthClient, scope: string | undefined): string[] {
  if (client.console) {
    if (scope !== undefined)
      throw new OAuthError('invalid_scope', 'the console asks for no scope: it acts as its user');
    return [];
  }
  if (scope === undefined) {
    if (client.allowedScopes.length === 0) throw new OAuthError('invalid_scope', 'the client may request no scope');
    return expandScopes(client.allowedScopes);
  }
  const requested = scope.split(' ');
  if (requested.some((s) => s === ''))
    throw new OAuthError('invalid_scope', 'scope must be scopes separated by single spaces');
  for (const s of requested) {
    if (!isScope(s)) throw new OAuthError('invalid_scope', `${JSON.stringify(String(s).slice(0, 80))} is not a scope`);
  }
  const expanded = expandScopes(requested);
  const beyond = expanded.filter((s) => !coveredBy(s, client.allowedScopes));
  if (beyond.length > 0)
    throw new OAuthError('invalid_scope', `the client may not request ${beyond.slice(0, 5).join(' ')}`);
  return expanded;
}

export function checkState(state: string | undefined): string | null {
  if (state === undefined) return null;
  if (state.length > STATE_MAX_LENGTH)
    throw new OAuthError('invalid_request', `state must be at most ${STATE_MAX_LENGTH} characters`);
  return state;
}

import { hashSecret, secretMatchesHashes } from '@latchkey/token-format';
import { OAuthError } from '../oauth-error';
import type { OAuthClient } from './oauth-client';

/** How a client authenticated at the token, revocation, introspection and PAR endpoints. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];

/** What the request claims, before any lookup. */
export interface ClientCredentials {
  clientId: string;
  /** Null for `none` (public clients). */
  secret: string | null;
  method: ClientAuthMethod;
}

const BASIC_CHALLENGE = 'Basic realm="latchkey", charset="UTF-8"';
const FAILED = 'client authentication failed';
/** Compared against when the client is unknown, so that answer costs what a wrong secret costs. */
const NO_HASHES = Object.freeze({ currentHash: hashSecret('no client'), previousHash: null, previousValidUntil: null });

/**
 * Reads the client's credentials from the request (RFC 6749 §2.3.1): HTTP Basic with the id and
 * secret form-encoded before base64, or `client_id` + `client_secret` in the body, or `client_id`
 * alone for a public client. Using two methods at once is refused (§2.3).
 */
export function readClientCredentials(
  authorization: string | undefined,
  body: Readonly<Record<string, string | undefined>>,
): ClientCredentials {
  const bodyId = body.client_id;
  const bodySecret = body.client_secret;
  if (authorization !== undefined) {
    const basic = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization);
    if (!basic) throw basicFailure('the Authorization header must be HTTP Basic with the client id and secret');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw basicFailure('the Basic credentials must be client_id:client_secret');
    const clientId = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (!clientId || !secret) throw basicFailure('the Basic credentials must be client_id:client_secret');
    if (bodySecret !== undefined)
      throw new OAuthError('invalid_request', 'use one client authentication method: Basic or client_secret, not both');
    if (bodyId !== undefined && bodyId !== clientId)
      throw new OAuthError('invalid_request', 'client_id in the body is not the client of the Authorization header');
    return { clientId, secret, method: 'client_secret_basic' };
  }
  if (bodyId === undefined || bodyId === '') {
    throw new OAuthError(
      'invalid_client',
      'client authentication required (HTTP Basic, client_id + client_secret, or client_id for a public client)',
    );
  }
  if (bodySecret !== undefined) {
    if (bodySecret === '') throw new OAuthError('invalid_client', FAILED);
    return { clientId: bodyId, secret: bodySecret, method: 'client_secret_post' };
  }
  return { clientId: bodyId, secret: null, method: 'none' };
}

/**
 * The client the credentials prove, or `invalid_client` (401). Confidential clients must present
 * their secret (the current one, or the previous one during a rotation's overlap); public clients
 * present none. A disabled, deleted or unknown client fails like a wrong secret.
 */
export function authenticateClient(client: OAuthClient | null, credentials: ClientCredentials, now: Date): OAuthClient {
  const fail = () =>
    credentials.method === 'client_secret_basic' ? basicFailure(FAILED) : new OAuthError('invalid_client', FAILED);
  if (credentials.secret !== null) {
    const matches = secretMatchesHashes(credentials.secret, client?.secret ?? NO_HASHES, now);
    if (!client || client.status !== 'active' || client.clientType !== 'confidential' || !matches) throw fail();
    return client;
  }
  if (!client || client.status !== 'active' || client.clientType !== 'public') throw fail();
  return client;
}

function basicFailure(description: string): OAuthError {
  return new OAuthError('invalid_client', description, { wwwAuthenticate: BASIC_CHALLENGE });
}

/** application/x-www-form-urlencoded decoding ('+' is a space); a malformed escape fails authentication. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw basicFailure('the Basic credentials are not correctly form-encoded');
  }
}

import type { FastifyRequest } from 'fastify';
import { authenticateClient, readClientCredentials } from './client-authentication';
import type { OAuthClient, OAuthClients } from './oauth-client';

/** The client a request to the token, revocation or introspection endpoint authenticates as (or `invalid_client`). */
export async function authenticatedClient(
  request: FastifyRequest,
  form: Readonly<Record<string, string | undefined>>,
  clients: OAuthClients,
  now: Date,
): Promise<OAuthClient> {
  const credentials = readClientCredentials(request.headers.authorization, form);
  return authenticateClient(await clients.find(credentials.clientId), credentials, now);
}

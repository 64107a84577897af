import { randomBytes } from 'node:crypto';
import { hashSecret } from '@latchkey/token-format';
import type { DataSource } from 'typeorm';
import type { RequestParameters } from '../authorize/authorization-request';
import { returnedRows } from '@latchkey/eventstore';

/** RFC 9126 §2.2: the `request_uri` prefix, then a random reference. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** A pushed request is used right away (the client redirects the browser next): 60 s. */
export const PUSHED_REQUEST_LIFETIME_SECONDS = 60;
/** Client authentication parameters: checked at the push, never stored with the request. */
const CREDENTIALS = ['client_secret', 'client_assertion', 'client_assertion_type'];

/**
 * Pushed authorization requests (RFC 9126): the parameters a client pushed, under the SHA-256 of
 * the `request_uri` it got back, bound to that client, one-time and short-lived.
 */
export class PushedRequests {
  constructor(
    private readonly db: DataSource,
    private readonly clock: () => Date,
  ) {}

  /** Keeps a validated request's parameters (without credentials); returns its `request_uri`. */
  async push(clientId: string, parameters: RequestParameters): Promise<{ requestUri: string; expiresIn: number }> {
    const requestUri = REQUEST_URI_PREFIX + randomBytes(32).toString('base64url');
    const kept = Object.fromEntries(Object.entries(parameters).filter(([name]) => !CREDENTIALS.includes(name)));
    await this.db.query(
      `INSERT INTO pushed_authorization_requests (request_uri_hash, client_id, parameters, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [
        hashSecret(requestUri),
        clientId,
        kept,
        new Date(this.clock().getTime() + PUSHED_REQUEST_LIFETIME_SECONDS * 1000),
      ],
    );
    return { requestUri, expiresIn: PUSHED_REQUEST_LIFETIME_SECONDS };
  }

  /**
   * The parameters pushed as `requestUri` by this client, if live and unused; using them ends
   * them (a second use, another client's reference or an expired one → null).
   */
  async take(requestUri: string, clientId: string): Promise<RequestParameters | null> {
    if (!requestUri.startsWith(REQUEST_URI_PREFIX) || requestUri.length > 200) return null;
    const now = this.clock();
    const rows = returnedRows<{ parameters: RequestParameters }>(
      await this.db.query(
        `UPDATE pushed_authorization_requests SET used_at = $3
          WHERE request_uri_hash = $1 AND client_id = $2 AND used_at IS NULL AND expires_at > $3
          RETURNING parameters`,
        [hashSecret(requestUri), clientId, now],
      ),
    );
    return rows[0]?.parameters ?? null;
  }
}

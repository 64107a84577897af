import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { lockStream, returnedRows } from '@latchkey/eventstore';
import type { ServiceRuntime } from '@latchkey/service-runtime';
import { displayPrefix, generateSecret, hashSecret, parseSecret } from '@latchkey/token-format';
import type { EntityManager } from 'typeorm';
import {
  CODE_REUSE,
  REFRESH_REUSE,
  oauthGrantDecider,
  OAUTH_GRANT_SNAPSHOT,
  type NewToken,
  type OAuthGrantCommand,
  type TokenFacts,
} from '../../domain/authorization/authorization.decider';
import { grantStream } from '../../domain/pat/pat.decider';
import { expandScopes } from '../../domain/scopes';
import { TokenError } from '../../domain/token-error';
import { projectTokenEvents } from '../../read-model/token.projection';
import type { TokenQueries } from '../../read-model/token.queries';
import type { AuthorizationRequest } from '../authorize/authorization-request';
import type { OAuthClient } from '../clients/oauth-client';
import { OAuthError } from '../oauth-error';
import { s256ChallengeOf, verifierMatches } from '../pkce/pkce';

/** An authorization code lives this long (RFC 6749 §4.1.2 recommends at most 10 minutes; we take 60 s). */
export const CODE_LIFETIME_MS = 60_000;

/** The token endpoint's answer (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

interface CodeRow {
  grant_id: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  redirect_uri_given: boolean;
  code_challenge: string;
  scopes: string[];
  expires_at: Date;
  consumed_at: Date | null;
}

interface TokenRow {
  token_id: string;
  grant_id: string;
  token_kind: string;
  user_id?: string | null;
  client_id: string | null;
  scopes: string[];
  expires_at: Date | null;
  revoked: boolean;
}

/** The reason recorded when a client revokes its own token (RFC 7009). */
export const CLIENT_REVOKED = 'client_request';

const INVALID_CODE = 'the authorization code is invalid, expired or was issued to another client or redirect URI';
const INVALID_REFRESH = 'the refresh token is invalid, expired, revoked or was issued to another client';

/**
 * The OAuth grants' commands: consent, codes, the code and refresh exchanges, revocation. Each runs
 * in one transaction with the grant's stream lock (the one concurrency strategy), appends through
 * the OAuth grant decider and projects in the same transaction.
 */
export class OAuthGrantCommands {
  private readonly log = new Logger('oauth');

  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly queries: TokenQueries,
    private readonly clock: () => Date,
  ) {}

  /**
   * The live authorization grant of this user for this client that covers the request's scopes
   * and these accounts (remembered consent), or null.
   */
  async rememberedGrant(userId: string, clientId: string, scopes: readonly string[]) {
    const rows: Array<{ grant_id: string }> = await this.runtime.dataSource.query(
      `SELECT grant_id FROM oauth_grants
        WHERE user_id = $1 AND client_id = $2 AND kind = 'authorization' AND revoked_at IS NULL
          AND scopes @> $3::text[]
        ORDER BY created_at DESC LIMIT 1`,
      [userId, clientId, scopes],
    );
    return rows[0]?.grant_id ?? null;
  }

  /** The user's consent (Allow): a new authorization grant. */
  async consent(request: AuthorizationRequest, userId: string, accountIds: readonly string[]): Promise<string> {
    const grantId = randomUUID();
    await this.runtime.dataSource.transaction(async (m) => {
      const user = await this.queries.user(userId, m);
      if (!user || !user.active || user.kind === 'api')
        throw new OAuthError('access_denied', 'this user cannot authorize applications', { redirectable: true });
      // the console's grant carries its user's permissions as of this sign-in, in the accounts given
      // (all the user's); the effective scopes follow the user's permissions live, as for every token
      const scopes = request.client.console ? permissionsIn(user.permissions, accountIds) : request.scopes;
      await this.decideOrRefuse(m, grantId, userId, {
        type: 'CreateOAuthGrant',
        grantId,
        kind: 'authorization',
        userId,
        client: {
          clientId: request.client.clientId,
          active: request.client.status === 'active',
          allowedScopes: request.client.console ? scopes : request.client.allowedScopes,
          accountIds: request.client.console ? accountIds : request.client.accountIds,
        },
        scopes,
        accountIds,
        userAccountIds: Object.keys(user.permissions),
        now: this.clock().toISOString(),
      });
    });
    this.log.log(`user ${userId} authorized application ${request.client.clientId} (grant ${grantId})`);
    return grantId;
  }

  /**
   * A code for a grant, bound to the request; only its hash is kept. The console's request names
   * no scope: its code carries its grant's (the user's permissions at sign-in).
   */
  async issueCode(grantId: string, request: AuthorizationRequest, userId: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.runtime.dataSource.query(
      `INSERT INTO authorization_codes (code_hash, grant_id, client_id, user_id, redirect_uri, redirect_uri_given,
                                        code_challenge, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $9, $6,
               CASE WHEN $10::boolean THEN (SELECT g.scopes FROM oauth_grants g WHERE g.grant_id = $2) ELSE $7 END, $8)`,
      [
        hashSecret(code),
        grantId,
        request.client.clientId,
        userId,
        request.redirectUri,
        request.codeChallenge,
        request.scopes,
        new Date(this.clock().getTime() + CODE_LIFETIME_MS),
        request.redirectUriGiven,
        request.client.console,
      ],
    );
    return code;
  }

  /**
   * The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6). The client, redirect URI,
   * verifier and expiry are checked before whether the code was used, so a replay by someone
   * without the verifier, or by another client, changes nothing. A second *valid* redemption
   * revokes the grant (RFC 6749 §4.1.2: the tokens issued from the code stop working too).
   */
  async redeemCode(input: {
    code: string;
    client: OAuthClient;
    redirectUri: string | undefined;
    verifier: string | undefined;
  }): Promise<TokenResponse> {
    const now = this.clock();
    const codeHash = hashSecret(input.code);
    const challenge = s256ChallengeOf(input.verifier);
    const outcome = await this.runtime.dataSource.transaction(async (m) => {
      // the usual case in one statement: a live, unused code of this client, redirect URI and
      // verifier is consumed at once (a concurrent redemption waits on the row, then finds it used)
      const consumed: Array<{ grant_id: string; user_id: string; scopes: string[] }> =
        challenge === null
          ? []
          : returnedRows(
              await m.query(
                `UPDATE authorization_codes SET consumed_at = $2
                  WHERE code_hash = $1 AND consumed_at IS NULL AND expires_at > $2 AND client_id = $3
                    AND code_challenge = $4 AND (redirect_uri = $5 OR (NOT redirect_uri_given AND $5::text IS NULL))
                  RETURNING grant_id, user_id, scopes`,
                [codeHash, now, input.client.clientId, challenge, input.redirectUri ?? null],
              ),
            );
      if (consumed.length === 1) return this.issueForCode(m, consumed[0], input.client, now);
      // why not: read the row under its lock and answer (a valid second redemption revokes)
      const rows: CodeRow[] = await m.query(
        `SELECT grant_id, client_id, user_id, redirect_uri, redirect_uri_given, code_challenge, scopes, expires_at,
                consumed_at
           FROM authorization_codes WHERE code_hash = $1 FOR UPDATE`,
        [codeHash],
      );
      const row = rows[0];
      // RFC 6749 §4.1.3: the same redirect_uri if the authorization request named one; if it did
      // not, the token request may leave it out (or name the one it was resolved to)
      const redirectOk =
        row !== undefined &&
        (input.redirectUri === row.redirect_uri || (!row.redirect_uri_given && input.redirectUri === undefined));
      if (!row || row.client_id !== input.client.clientId || !redirectOk)
        return { error: new OAuthError('invalid_grant', INVALID_CODE) };
      if (!verifierMatches(input.verifier, row.code_challenge))
        return { error: new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge') };
      if (row.expires_at.getTime() <= now.getTime()) return { error: new OAuthError('invalid_grant', INVALID_CODE) };
      if (row.consumed_at !== null) {
        await this.revokeIn(m, row.grant_id, CODE_REUSE, `client:${input.client.clientId}`);
        this.log.warn(`authorization code of grant ${row.grant_id} presented again: grant revoked`);
        return { error: new OAuthError('invalid_grant', 'the authorization code was already used') };
      }
      // not reached: what the UPDATE refused, one of the checks above refuses too (a code is never un-used)
      return { error: new OAuthError('invalid_grant', INVALID_CODE) };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.tokens;
  }

  /** Tokens for a code just consumed, if its user may still authorize. */
  private async issueForCode(
    m: EntityManager,
    code: { grant_id: string; user_id: string; scopes: string[] },
    client: OAuthClient,
    now: Date,
  ): Promise<{ tokens: TokenResponse } | { error: OAuthError }> {
    const user = await this.queries.user(code.user_id, m);
    if (!user || !user.active) return { error: new OAuthError('invalid_grant', 'the user can no longer authorize') };
    return { tokens: await this.issueIn(m, code.grant_id, client, code.scopes, undefined, now) };
  }

  /**
   * The refresh_token grant (RFC 6749 §6) with rotation on every use (RFC 9700 §4.14.2): the
   * presented token is revoked and a new pair issued in one append. A rotated (revoked) refresh
   * token presented again means it leaked: the whole grant is revoked.
   */
  async refresh(input: { refreshToken: string; client: OAuthClient; scope: string[] | null }): Promise<TokenResponse> {
    const now = this.clock();
    const parsed = parseSecret(input.refreshToken);
    if (!parsed.ok || parsed.kind !== 'rt') throw new OAuthError('invalid_grant', INVALID_REFRESH);
    const hash = hashSecret(input.refreshToken);
    const found: TokenRow[] = await this.runtime.dataSource.query(
      'SELECT grant_id FROM token_hashes WHERE token_hash = $1',
      [hash],
    );
    if (found.length === 0) throw new OAuthError('invalid_grant', INVALID_REFRESH);
    const outcome = await this.runtime.dataSource.transaction(async (m) => {
      await lockStream(m, grantStream(found[0].grant_id)); // before reading the token's state
      const rows: TokenRow[] = await m.query(
        `SELECT token_id, grant_id, token_kind, user_id, client_id, scopes, expires_at, revoked
           FROM token_hashes WHERE token_hash = $1`,
        [hash],
      );
      const row = rows[0];
      if (!row || row.token_kind !== 'refresh' || row.client_id !== input.client.clientId)
        return { error: new OAuthError('invalid_grant', INVALID_REFRESH) };
      if (row.revoked) {
        const revoked = await this.revokeIn(m, row.grant_id, REFRESH_REUSE, `client:${input.client.clientId}`);
        if (revoked) this.log.warn(`rotated refresh token of grant ${row.grant_id} presented again: grant revoked`);
        return { error: new OAuthError('invalid_grant', INVALID_REFRESH) };
      }
      if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime())
        return { error: new OAuthError('invalid_grant', INVALID_REFRESH) };
      const user = row.user_id ? await this.queries.user(row.user_id, m) : null;
      if (!user || !user.active) return { error: new OAuthError('invalid_grant', 'the user can no longer authorize') };
      const scopes = input.scope ?? row.scopes;
      const beyond = scopes.filter((s) => !row.scopes.includes(s));
      if (beyond.length > 0)
        return { error: new OAuthError('invalid_scope', `a refresh may only narrow the scopes: ${beyond[0]}`) };
      const rotates = factsOf(row);
      return { tokens: await this.issueIn(m, row.grant_id, input.client, scopes, rotates, now, row.scopes) };
    });
    if ('error' in outcome) throw outcome.error;
    return outcome.tokens;
  }

  /**
   * The client_credentials grant (RFC 6749 §4.4): a confidential application acting as itself,
   * in its own accounts, within its allowed scopes. Its tokens hang off one `client` grant per
   * application (a new one when the application's ceiling grew past it, or after a revocation);
   * no refresh token.
   */
  async clientCredentials(client: OAuthClient, scope: string[] | null): Promise<TokenResponse> {
    if (client.clientType !== 'confidential')
      throw new OAuthError('unauthorized_client', 'only confidential clients may use client_credentials');
    const ceiling = expandScopes(client.allowedScopes);
    const scopes = scope ?? ceiling;
    if (scopes.length === 0) throw new OAuthError('invalid_scope', 'the client may request no scope');
    const now = this.clock();
    return this.runtime.dataSource.transaction(async (m) => {
      const rows: Array<{ grant_id: string; scopes: string[]; account_ids: string[] }> = await m.query(
        `SELECT grant_id, scopes, account_ids FROM oauth_grants
          WHERE kind = 'client' AND client_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1`,
        [client.clientId],
      );
      const current = rows[0];
      const fits =
        current !== undefined &&
        scopes.every((s) => current.scopes.includes(s)) &&
        sameSet(current.account_ids, client.accountIds);
      let grantId = current?.grant_id;
      if (!fits) {
        grantId = randomUUID();
        await this.decide(m, grantId, `client:${client.clientId}`, {
          type: 'CreateOAuthGrant',
          grantId,
          kind: 'client',
          client: {
            clientId: client.clientId,
            active: client.status === 'active',
            allowedScopes: client.allowedScopes,
            accountIds: client.accountIds,
          },
          scopes: ceiling,
          accountIds: client.accountIds,
          now: now.toISOString(),
        });
      }
      return this.issueIn(
        m,
        grantId as string,
        { ...client, grantTypes: ['client_credentials'] },
        scopes,
        undefined,
        now,
      );
    });
  }

  /**
   * RFC 7009 revocation by a client of one of its own tokens: a refresh token ends its grant
   * (every token of it), an access token only itself. A token that is unknown, already revoked or
   * another client's changes nothing — and the answer is the same, so nothing is learnt from it.
   */
  async revokeByClient(client: OAuthClient, token: string): Promise<void> {
    const parsed = parseSecret(token);
    if (!parsed.ok || (parsed.kind !== 'at' && parsed.kind !== 'rt')) return;
    const rows: TokenRow[] = await this.runtime.dataSource.query(
      'SELECT token_id, grant_id, token_kind, client_id, revoked FROM token_hashes WHERE token_hash = $1',
      [hashSecret(token)],
    );
    const row = rows[0];
    if (!row || row.client_id !== client.clientId || row.revoked) return;
    const actor = `client:${client.clientId}`;
    await this.runtime.dataSource.transaction(async (m) => {
      if (row.token_kind === 'refresh') {
        await this.revokeIn(m, row.grant_id, CLIENT_REVOKED, actor);
        return;
      }
      await lockStream(m, grantStream(row.grant_id)); // the token's state as of the lock
      const [current]: TokenRow[] = await m.query(
        'SELECT token_id, grant_id, token_kind, expires_at, revoked FROM token_hashes WHERE token_id = $1',
        [row.token_id],
      );
      if (current)
        await this.decide(m, row.grant_id, actor, {
          type: 'RevokeOAuthToken',
          token: factsOf(current),
          reason: CLIENT_REVOKED,
        });
    });
  }

  /** Ends a grant (a user, an administrator, the platform); its tokens are refused everywhere at once. */
  async revoke(grantId: string, reason: string, actor: string, revokedBy?: string): Promise<void> {
    await this.runtime.dataSource.transaction((m) => this.revokeIn(m, grantId, reason, actor, revokedBy));
  }

  /** Whether a grant is an OAuth grant (else a personal access token's). */
  async isOAuthGrant(m: EntityManager, grantId: string): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM oauth_grants WHERE grant_id = $1', [grantId]);
    return rows.length > 0;
  }

  /** Revocation inside the caller's transaction; returns whether anything was revoked. */
  async revokeIn(m: EntityManager, grantId: string, reason: string, actor: string, revokedBy?: string) {
    const envelopes = await this.decide(m, grantId, actor, {
      type: 'RevokeOAuthGrant',
      reason,
      now: this.clock().toISOString(),
      ...(revokedBy === undefined ? {} : { revokedBy }),
    });
    return envelopes > 0;
  }

  private async issueIn(
    m: EntityManager,
    grantId: string,
    client: OAuthClient,
    scopes: string[],
    rotates: TokenFacts | undefined,
    now: Date,
    refreshScopes?: string[],
  ): Promise<TokenResponse> {
    const access = generateSecret('at');
    const refresh = client.grantTypes.includes('refresh_token') ? generateSecret('rt') : null;
    const material = (secret: string, ttlSeconds: number): NewToken => ({
      tokenId: randomUUID(),
      tokenHash: hashSecret(secret),
      displayPrefix: displayPrefix(secret),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    });
    try {
      await this.decide(m, grantId, `client:${client.clientId}`, {
        type: 'IssueOAuthTokens',
        scopes,
        access: material(access, client.accessTokenTtlSeconds),
        ...(refresh === null ? {} : { refresh: material(refresh, client.refreshTokenTtlSeconds) }),
        ...(rotates === undefined ? {} : { rotates }),
        ...(refreshScopes === undefined ? {} : { refreshScopes }),
        now: now.toISOString(),
      });
    } catch (e) {
      if (e instanceof TokenError) throw grantError(e);
      throw e;
    }
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: client.accessTokenTtlSeconds,
      ...(refresh === null ? {} : { refresh_token: refresh }),
      scope: scopes.join(' '),
    };
  }

  /**
   * A consent the decider refuses (an account the user does not hold or the application may not
   * act in, a ceiling that shrank meanwhile — a tampered or stale form) goes back to the client as
   * access_denied, never a 500.
   */
  private async decideOrRefuse(m: EntityManager, grantId: string, actor: string, command: OAuthGrantCommand) {
    try {
      return await this.decide(m, grantId, actor, command);
    } catch (e) {
      if (e instanceof TokenError)
        throw new OAuthError('access_denied', `the authorization cannot be given: ${e.message}`, {
          redirectable: true,
          cause: e,
        });
      throw e;
    }
  }

  /** Runs an OAuth grant command on its stream (the runner takes the stream lock); returns how many events it appended. */
  private async decide(m: EntityManager, grantId: string, actor: string, command: OAuthGrantCommand): Promise<number> {
    const { envelopes } = await this.runtime.runner.runIn(m, oauthGrantDecider, command, {
      stream: grantStream(grantId),
      actor,
      newStream: command.type === 'CreateOAuthGrant',
      snapshot: OAUTH_GRANT_SNAPSHOT,
      project: (manager, events) => projectTokenEvents(manager, events),
    });
    return envelopes.length;
  }
}

/** A decider refusal at the token endpoint, in the RFC's words. */
function grantError(e: TokenError): OAuthError {
  switch (e.code) {
    case 'SCOPE_NOT_GRANTED':
    case 'SCOPES_REQUIRED':
    case 'SCOPE_INVALID':
      return new OAuthError('invalid_scope', e.message, { cause: e });
    default:
      return new OAuthError('invalid_grant', e.message, { cause: e });
  }
}

/** A token row read under the grant's stream lock, as the decider takes it. */
function factsOf(row: TokenRow): TokenFacts {
  return {
    tokenId: row.token_id,
    grantId: row.grant_id,
    tokenKind: row.token_kind === 'refresh' ? 'refresh' : 'access',
    revoked: row.revoked,
    expiresAt: row.expires_at === null ? null : row.expires_at.toISOString(),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Every permission the user holds in any of `accountIds`, sorted (the console's grant). */
function permissionsIn(permissions: Record<string, readonly string[]>, accountIds: readonly string[]): string[] {
  return [...new Set(accountIds.flatMap((a) => permissions[a] ?? []))].sort();
}

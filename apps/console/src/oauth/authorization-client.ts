import { createHash } from 'node:crypto';

/** What the token endpoint answers (RFC 6749 §5.1). */
export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms at which the access token expires. */
  accessExpiresAt: Date;
}

/** The authorization server refused (RFC 6749 §5.2): `error` is its code, never a token. */
export class AuthorizationError extends Error {
  override readonly name = 'AuthorizationError';
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

export interface AuthorizationClientOptions {
  /** Where browsers reach the authorization server (its issuer). */
  browserUrl: string;
  /** Where this server reaches it. */
  apiUrl: string;
  clientId: string;
  redirectUri: string;
  /** For tests; default global fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** RFC 7636 S256: the challenge sent with the authorization request for `verifier`. */
export function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * The console as a public OAuth client of token-service: the authorization request (PKCE S256,
 * no scope — the console's grant is its user's permissions), the code exchange, refresh with
 * rotation, and revocation at logout.
 */
export class AuthorizationClient {
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: AuthorizationClientOptions) {
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Where to send the browser to sign in. */
  authorizeUrl(state: string, codeVerifier: string): string {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      code_challenge: challengeOf(codeVerifier),
      code_challenge_method: 'S256',
      state,
    });
    return `${this.options.browserUrl}/oauth/authorize?${q}`;
  }

  /** Where the authorization server's answer must come from (RFC 9207 `iss`). */
  get issuer(): string {
    return this.options.browserUrl;
  }

  exchangeCode(code: string, codeVerifier: string): Promise<TokenSet> {
    return this.tokens({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.options.redirectUri,
      code_verifier: codeVerifier,
    });
  }

  refresh(refreshToken: string): Promise<TokenSet> {
    return this.tokens({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** Revokes the refresh token, and with it the grant (RFC 7009). */
  async revoke(refreshToken: string): Promise<void> {
    const res = await this.post('/oauth/revoke', { token: refreshToken, token_type_hint: 'refresh_token' });
    if (!res.ok) throw await this.refusal(res);
  }

  private async tokens(form: Record<string, string>): Promise<TokenSet> {
    const res = await this.post('/oauth/token', form);
    if (!res.ok) throw await this.refusal(res);
    const body = (await res.json()) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
    if (
      typeof body.access_token !== 'string' ||
      typeof body.refresh_token !== 'string' ||
      typeof body.expires_in !== 'number'
    )
      throw new AuthorizationError(
        'invalid_response',
        'the token endpoint answered without the tokens the console needs',
      );
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      accessExpiresAt: new Date(Date.now() + body.expires_in * 1000),
    };
  }

  private post(path: string, form: Record<string, string>): Promise<Response> {
    return this.fetch(`${this.options.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...form, client_id: this.options.clientId }).toString(),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }

  private async refusal(res: Response): Promise<AuthorizationError> {
    const body = (await res.json().catch(() => ({}))) as { error?: unknown; error_description?: unknown };
    return new AuthorizationError(
      typeof body.error === 'string' ? body.error : `http_${res.status}`,
      typeof body.error_description === 'string'
        ? body.error_description
        : `the authorization server answered ${res.status}`,
    );
  }
}

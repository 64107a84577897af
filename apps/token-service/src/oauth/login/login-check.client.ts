/** identity-service's answer (its internal `POST /internal/login-check`). */
export type LoginCheckResult =
  | { ok: true; userId: string; kind: 'human' | 'api' | 'contact' }
  | { ok: false; reason: 'invalid_credentials' | 'locked' };

/** A login check that could not be asked (identity-service down, slow, or answering nonsense). */
export class LoginCheckUnavailableError extends Error {
  override readonly name = 'LoginCheckUnavailableError';
}

export type LoginCheck = (input: {
  email: string;
  password: string;
  clientAddress?: string;
}) => Promise<LoginCheckResult>;

/**
 * The login page's password check, asked of identity-service over its internal listener with the
 * service credential. The password goes in the body of that one request and nowhere else (never
 * logged, never kept). Lockout and the equal answers for unknown/wrong/api/deactivated users are
 * identity-service's; this client only refuses to guess when it gets no clear answer.
 */
export function httpLoginCheck(url: string, credential: string, timeoutMs = 5_000): LoginCheck {
  return async (input) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify(input),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new LoginCheckUnavailableError(`the login check could not be reached (${(err as Error).name})`);
    }
    if (res.status !== 200) throw new LoginCheckUnavailableError(`the login check answered ${res.status}`);
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (body?.ok === true && typeof body.userId === 'string' && ['human', 'api', 'contact'].includes(String(body.kind)))
      return { ok: true, userId: body.userId, kind: body.kind as 'human' | 'api' | 'contact' };
    if (body?.ok === false && (body.reason === 'invalid_credentials' || body.reason === 'locked'))
      return { ok: false, reason: body.reason };
    throw new LoginCheckUnavailableError('the login check gave an answer of an unknown shape');
  };
}

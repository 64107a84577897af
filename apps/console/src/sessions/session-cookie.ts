/**
 * The one cookie the console sets: the session id. `HttpOnly` (no script reads it), `SameSite=Lax`
 * (not sent on cross-site posts), `Path=/`; served over https it is also `Secure` and named with
 * the `__Host-` prefix (no Domain attribute, so no subdomain can set or read it).
 */
export class SessionCookie {
  readonly name: string;
  private readonly secure: boolean;

  constructor(publicUrl: string) {
    this.secure = new URL(publicUrl).protocol === 'https:';
    this.name = this.secure ? '__Host-lk_console' : 'lk_console';
  }

  /** The Set-Cookie value for a new session (a browser-session cookie: the server decides when it ends). */
  set(sessionId: string): string {
    return `${this.name}=${sessionId}; Path=/; HttpOnly; SameSite=Lax${this.secure ? '; Secure' : ''}`;
  }

  clear(): string {
    return `${this.name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${this.secure ? '; Secure' : ''}`;
  }

  /** The session id in a Cookie header, or null. */
  read(cookieHeader: string | undefined): string | null {
    if (!cookieHeader) return null;
    for (const part of cookieHeader.split(';')) {
      const i = part.indexOf('=');
      if (i > 0 && part.slice(0, i).trim() === this.name) {
        const value = part.slice(i + 1).trim();
        return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
      }
    }
    return null;
  }
}

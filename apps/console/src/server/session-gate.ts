import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblem, type ServiceApi } from '../api/service-api';
import { AuthorizationError, type AuthorizationClient } from '../oauth/authorization-client';
import { problemPage, type Viewer } from '../pages/layout';
import type { CsrfTokens } from '../security/csrf';
import type { SessionCookie } from '../sessions/session-cookie';
import type { Session, SessionStore, SessionTokens } from '../sessions/session-store';
import { sendPage } from './console-server';
import { field, type Form } from './forms';

/** What the console's routes work with (built in main.ts). */
export interface ConsoleDeps {
  sessions: SessionStore;
  auth: AuthorizationClient;
  tokenService: ServiceApi;
  identity: ServiceApi;
  registry: ServiceApi;
  csrf: CsrfTokens;
  cookie: SessionCookie;
  /** The console's own OAuth client id (its grants are console sign-ins, not applications). */
  clientId: string;
  /** Never given a token, a code or a secret: ids and outcomes only. */
  log: (message: string) => void;
}

/** A console session lasts as long as its refresh token may (the registration's default, two weeks). */
export const SESSION_LIFETIME_MS = 14 * 86_400_000;
/** Refresh the access token when it has less than this left. */
const REFRESH_SKEW_MS = 60_000;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SignedIn {
  session: Session;
  tokens: SessionTokens;
  viewer: Viewer;
}

/** identity-service's GET /v1/me, the parts the console uses. */
export interface MeView {
  userId: string;
  email: string | null;
  displayName: string;
  memberships: Array<{ accountId: string; permissions: string[] }>;
}

/** How a route finds the person behind a request. */
export interface SessionGate {
  signedIn(req: FastifyRequest): Promise<SignedIn | null>;
  requireSignedIn(req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null>;
  requirePost(req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null>;
}

/** The account an administrator's page acts in, with the accounts the person may choose from. */
export interface ChosenAccount {
  account: string;
  /** accountId → the person's permissions there, for every account where they hold the page's permission. */
  accounts: Map<string, string[]>;
  /** The person's permissions in `account`. */
  held: string[];
}

/**
 * The account asked for (`raw`, the page's `?account=`) among those where the person holds
 * `permission`, else the first of them; with none, answers 403 with `none` in words and gives null.
 */
export async function chooseAccount(
  deps: ConsoleDeps,
  s: SignedIn,
  raw: unknown,
  reply: FastifyReply,
  permission: string,
  page: { title: string; none: string },
): Promise<ChosenAccount | null> {
  const me = await deps.identity.call<MeView>('GET', '/v1/me', s.tokens.accessToken);
  const accounts = new Map(
    me.memberships.filter((m) => m.permissions.includes(permission)).map((m) => [m.accountId, m.permissions]),
  );
  const account = typeof raw === 'string' && accounts.has(raw) ? raw : [...accounts.keys()][0];
  if (account === undefined) {
    sendPage(reply, 403, problemPage(page.title, page.none, s.viewer));
    return null;
  }
  return { account, accounts, held: accounts.get(account) ?? [] };
}

export function sessionGate(deps: ConsoleDeps): SessionGate {
  /** The request's session with fresh tokens, or null (no cookie, ended, or its refresh was refused). */
  async function signedIn(req: FastifyRequest): Promise<SignedIn | null> {
    const id = deps.cookie.read(req.headers.cookie);
    if (id === null) return null;
    const session = await deps.sessions.find(id);
    if (!session) return null;
    try {
      const tokens = await deps.sessions.freshTokens(session, REFRESH_SKEW_MS, (rt) => deps.auth.refresh(rt));
      return { session, tokens, viewer: { label: session.userLabel, csrf: deps.csrf.tokenFor(id) } };
    } catch (err) {
      // the grant was revoked (e.g. from Access & Security) or expired: the session ends here
      deps.log(`console session of user ${session.userId} ended: its refresh was refused (${reasonOf(err)})`);
      await deps.sessions.delete(id);
      return null;
    }
  }

  /** The session, or a redirect to sign in (and back here afterwards). */
  async function requireSignedIn(req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
    const s = await signedIn(req);
    if (s === null) void reply.redirect(`/login?return_to=${encodeURIComponent(req.url)}`, 303);
    return s;
  }

  /** For a POST: the session and a CSRF token that belongs to it, or a page saying what to do. */
  async function requirePost(req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
    const s = await requireSignedIn(req, reply);
    if (s === null) return null;
    if (!deps.csrf.verify(s.session.id, field(req.body as Form, 'csrf'))) {
      sendPage(
        reply,
        403,
        problemPage(
          'Form expired',
          'This form is no longer valid (it came from another session or was changed). Reload the page and try again.',
          s.viewer,
        ),
      );
      return null;
    }
    return s;
  }

  return { signedIn, requireSignedIn, requirePost };
}

export function statusOf(err: unknown): number {
  return err instanceof ApiProblem ? (err.status >= 500 ? 502 : err.status) : 500;
}

export function wordsOf(err: unknown): string {
  return err instanceof ApiProblem ? err.detail : 'Something went wrong on our side.';
}

/** What a failure was, for a log line: a code, never a token. */
export function reasonOf(err: unknown): string {
  if (err instanceof AuthorizationError) return err.error;
  if (err instanceof ApiProblem) return `${err.status} ${err.code}`;
  return err instanceof Error ? err.name : 'unknown';
}

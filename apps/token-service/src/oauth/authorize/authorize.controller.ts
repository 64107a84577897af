import {
  Body,
  Catch,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { formFieldValues, repeatedFormFields } from '@latchkey/http';
import { hashSecret, secretsEqual } from '@latchkey/token-format';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TOKEN_CONTEXT, type TokenContext } from '../../token.context';
import type { OAuthClient } from '../clients/oauth-client';
import { httpLoginCheck, LoginCheckUnavailableError, type LoginCheck } from '../login/login-check.client';
import { OAuthError, isOAuthError } from '../oauth-error';
import { pageHeaders } from '@latchkey/http';
import { PushedRequests } from '../par/pushed-requests';
import { consentPage, errorPage, loginPage, logoutPage } from '../pages/pages';
import {
  BrowserState,
  INTERACTION_LIFETIME_MS,
  SESSION_LIFETIME_MS,
  type Interaction,
  type StoredRequest,
} from '../sessions/browser-state';
import {
  validateAuthorizationRequest,
  type AuthorizationRequest,
  type RequestParameters,
} from './authorization-request';
import { authorizationResponseUrl } from './authorization-response';

export const SESSION_COOKIE = 'lk_session';

/** What the login page says after a failed attempt (`?error=`), never whether the e-mail exists. */
const LOGIN_ERRORS: Record<string, string> = {
  credentials: 'The e-mail or the password is not right.',
  locked: 'Too many attempts. Wait a few minutes, then try again.',
  unavailable: 'Signing in is not possible right now. Please try again shortly.',
};
export const INTERACTION_COOKIE = 'lk_interaction';

/** The sign-out form's CSRF token: only a page that knows the session's secret can make it. */
function logoutCsrf(session: string): string {
  return hashSecret(`logout:${session}`);
}

/** A page answer: status, the page headers, the HTML. */
function sendPage(reply: FastifyReply, status: number, body: string, formTargets: readonly string[] = []): void {
  void reply.status(status).headers(pageHeaders({ formTargets })).send(body);
}

/** See other: every POST answers 303, and so do the redirects to the client. */
function seeOther(reply: FastifyReply, location: string): void {
  void reply.status(303).headers({ location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send();
}

function cookies(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(request.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Errors of the pages are pages: never JSON, never a stack, never a redirect to an untrusted place. */
@Catch()
export class PageErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('oauth-pages');
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // a page is no HTTP authentication: an unknown client is a bad request here, not a 401
    if (isOAuthError(exception))
      return sendPage(
        reply,
        exception.status === 401 || exception.status === undefined ? 400 : exception.status,
        errorPage('This request cannot be completed', exception.message),
      );
    this.log.error(
      'unexpected error on an authorization page',
      exception instanceof Error ? exception.stack : String(exception),
    );
    sendPage(reply, 500, errorPage('Something went wrong', 'Please go back to the application and try again.'));
  }
}

/**
 * The authorization endpoint (RFC 6749 §3.1) and its pages. `/oauth/authorize` checks the request
 * (errors before the client and redirect URI are trusted are shown, after that sent back to the
 * client with `iss`), remembers it as an interaction bound to this browser, and sends the browser
 * to the interaction page: the login page without a session, the consent page unless consent is
 * remembered (a live grant covering these scopes) or the application is first-party, then back to
 * the client with a code. Every POST carries the interaction's CSRF token and answers 303.
 */
@Controller('oauth')
@UseFilters(PageErrorFilter)
export class AuthorizeController {
  private readonly state: BrowserState;
  private readonly pushed: PushedRequests;
  private readonly loginCheck: LoginCheck;
  private readonly secure: boolean;

  constructor(@Inject(TOKEN_CONTEXT) private readonly ctx: TokenContext) {
    this.state = new BrowserState(ctx.runtime.dataSource, ctx.clock);
    this.pushed = new PushedRequests(ctx.runtime.dataSource, ctx.clock);
    this.loginCheck = httpLoginCheck(ctx.config.LOGIN_CHECK_URL, ctx.config.INTERNAL_SERVICE_TOKEN);
    this.secure = ctx.config.SESSION_COOKIE_SECURE === 'true';
  }

  private cookie(name: string, value: string, maxAgeMs: number): string {
    return `${name}=${value}; Path=/oauth; HttpOnly; SameSite=Lax${this.secure ? '; Secure' : ''}; Max-Age=${Math.floor(maxAgeMs / 1000)}`;
  }

  @Get('authorize')
  async authorize(@Query() query: Record<string, string | string[]>, @Res() reply: FastifyReply): Promise<void> {
    let params: RequestParameters = Object.fromEntries(
      Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
    );
    const first = params.client_id?.[0];
    const client = first && (params.client_id?.length ?? 0) === 1 ? await this.ctx.clients.find(first) : null;
    // a pushed request (RFC 9126 §4): its parameters, bound to this client, are the request; any
    // other query parameter is ignored
    const requestUri = params.request_uri;
    const pushed = client !== null && client.status === 'active' && requestUri?.length === 1;
    if (pushed) {
      const taken = await this.pushed.take(requestUri[0], client.clientId);
      if (taken === null)
        throw new OAuthError(
          'invalid_request_uri',
          'This sign-in link has expired or was already used. Go back to the application and try again.',
        );
      params = { ...taken, client_id: [client.clientId] };
    }
    let request: AuthorizationRequest;
    try {
      request = validateAuthorizationRequest(params, () => client, { pushed });
    } catch (e) {
      if (e instanceof OAuthError && e.redirectable && client) {
        const redirectUri = params.redirect_uri?.[0] ?? client.redirectUris[0];
        const state = params.state?.length === 1 ? params.state[0] : null;
        return seeOther(
          reply,
          authorizationResponseUrl(redirectUri, this.ctx.config.OAUTH_ISSUER, { error: e }, state),
        );
      }
      throw e;
    }
    const stored: StoredRequest = {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriGiven: request.redirectUriGiven,
      scopes: request.scopes,
      codeChallenge: request.codeChallenge,
      state: request.state,
    };
    const { id } = await this.state.startInteraction(stored);
    void reply.header('set-cookie', this.cookie(INTERACTION_COOKIE, id, INTERACTION_LIFETIME_MS));
    seeOther(reply, `/oauth/interaction/${id}`);
  }

  @Get('interaction/:id')
  async interaction(
    @Param('id') id: string,
    @Query('error') error: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { interaction, client } = await this.live(id, request);
    const csrf = await this.state.rotateCsrf(id); // a fresh token for the page about to be shown
    const userId = await this.state.sessionUser(cookies(request)[SESSION_COOKIE]);
    if (userId === null) {
      return sendPage(
        reply,
        200,
        loginPage({
          applicationName: client.name,
          action: `/oauth/interaction/${id}/login`,
          csrf,
          ...(error !== undefined && Object.hasOwn(LOGIN_ERRORS, error) ? { error: LOGIN_ERRORS[error] } : {}),
        }),
        // after the login POST the browser may go straight on to the client (first-party,
        // remembered consent): browsers apply form-action to that redirect too
        [interaction.request.redirectUri],
      );
    }
    const user = await this.ctx.queries.user(userId);
    if (!user || !user.active)
      return sendPage(reply, 403, errorPage('Signed out', 'Your account cannot authorize applications.'));
    // the console acts wherever its user does (a login session); an application, only where both may
    const accounts = client.console
      ? Object.keys(user.permissions)
      : client.accountIds.filter((a) => Object.hasOwn(user.permissions, a));
    // a public client's id and loopback redirect can be used by any local app (RFC 8252 §8.6): for
    // those, the user confirms every time; a confidential client's remembered consent applies
    const remembered =
      client.clientType === 'confidential'
        ? await this.ctx.oauth.rememberedGrant(userId, client.clientId, interaction.request.scopes)
        : null;
    if (remembered !== null) return this.finish(reply, id, client, interaction.request, userId, remembered);
    if (client.firstParty && accounts.length > 0) {
      const grantId = await this.ctx.oauth.consent(this.requestOf(client, interaction.request), userId, accounts);
      return this.finish(reply, id, client, interaction.request, userId, grantId);
    }
    if (accounts.length === 0)
      return this.deny(reply, id, interaction.request, 'you hold no account this application may act in');
    // names as the user knows them; an id only while the account is not projected yet
    const names = await this.ctx.queries.accountNames([client.ownerAccountId, ...accounts]);
    sendPage(
      reply,
      200,
      consentPage({
        applicationName: client.name,
        ownerName: names[client.ownerAccountId] ?? client.ownerAccountId,
        scopes: interaction.request.scopes,
        accounts: accounts.map((a) => ({ id: a, name: names[a] ?? a })),
        action: `/oauth/interaction/${id}/consent`,
        csrf,
        userEmail: user.email ?? userId,
      }),
      [interaction.request.redirectUri],
    );
  }

  @Post('interaction/:id/login')
  @HttpCode(303)
  async login(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { interaction } = await this.live(id, request);
    const form = this.form(body, interaction);
    const email = form.email ?? '';
    const password = form.password ?? '';
    if (email === '' || password === '') return seeOther(reply, `/oauth/interaction/${id}?error=credentials`);
    let result;
    try {
      result = await this.loginCheck({ email, password, clientAddress: request.ip });
    } catch (e) {
      if (!(e instanceof LoginCheckUnavailableError)) throw e;
      return seeOther(reply, `/oauth/interaction/${id}?error=unavailable`);
    }
    if (!result.ok)
      return seeOther(reply, `/oauth/interaction/${id}?error=${result.reason === 'locked' ? 'locked' : 'credentials'}`);
    if (result.kind === 'api') return seeOther(reply, `/oauth/interaction/${id}?error=credentials`);
    const session = await this.state.startSession(result.userId, request.headers['user-agent']);
    void reply.header('set-cookie', this.cookie(SESSION_COOKIE, session, SESSION_LIFETIME_MS));
    seeOther(reply, `/oauth/interaction/${id}`);
  }

  @Post('interaction/:id/consent')
  @HttpCode(303)
  async consent(
    @Param('id') id: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { interaction, client } = await this.live(id, request);
    const form = this.form(body, interaction);
    const userId = await this.state.sessionUser(cookies(request)[SESSION_COOKIE]);
    if (userId === null) return seeOther(reply, `/oauth/interaction/${id}`);
    if (form.decision === 'deny') return this.deny(reply, id, interaction.request, 'the user denied the request');
    if (form.decision !== 'allow') throw new OAuthError('invalid_request', 'Choose Allow or Deny.');
    const accounts = [...new Set(formFieldValues(body, 'account'))];
    if (accounts.length === 0) return seeOther(reply, `/oauth/interaction/${id}`);
    let grantId: string;
    try {
      grantId = await this.ctx.oauth.consent(this.requestOf(client, interaction.request), userId, accounts);
    } catch (e) {
      // the consent cannot be given as posted (a tampered or stale form): the client hears access_denied
      if (e instanceof OAuthError && e.redirectable) return this.deny(reply, id, interaction.request, e.message);
      throw e;
    }
    return this.finish(reply, id, client, interaction.request, userId, grantId);
  }

  /** The sign-out page: a button, or "signed out" when this browser has no session. */
  @Get('logout')
  async logoutForm(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const session = cookies(request)[SESSION_COOKIE];
    const live = session !== undefined && (await this.state.sessionUser(session)) !== null;
    sendPage(reply, 200, logoutPage(live ? { action: '/oauth/logout', csrf: logoutCsrf(session) } : null));
  }

  /**
   * Signs this browser out: its session ends server-side and the cookie is cleared. The form's
   * CSRF token is derived from the session's secret, so no other site can post it.
   */
  @Post('logout')
  @HttpCode(303)
  async logout(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const session = cookies(request)[SESSION_COOKIE];
    const csrf = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).csrf : undefined;
    if (session !== undefined) {
      if (typeof csrf !== 'string' || !secretsEqual(hashSecret(csrf), hashSecret(logoutCsrf(session))))
        throw new OAuthError('access_denied', 'This form has expired. Open the sign-out page again.');
      await this.state.endSession(session);
    }
    void reply.header('set-cookie', this.cookie(SESSION_COOKIE, '', 0));
    seeOther(reply, '/oauth/logout');
  }

  /** The interaction named in the URL, if it is live and this browser started it. */
  private async live(id: string, request: FastifyRequest) {
    const interaction = cookies(request)[INTERACTION_COOKIE] === id ? await this.state.interaction(id) : null;
    const client = interaction ? await this.ctx.clients.find(interaction.request.clientId) : null;
    if (!interaction || !client || client.status !== 'active')
      throw new OAuthError(
        'invalid_request',
        'This sign-in has expired or was started elsewhere. Go back to the application and try again.',
      );
    return { interaction, client };
  }

  private form(body: unknown, interaction: Interaction): Record<string, string | undefined> {
    if (typeof body !== 'object' || body === null) throw new OAuthError('invalid_request', 'The form is missing.');
    if (repeatedFormFields(body).some((f) => f !== 'account'))
      throw new OAuthError('invalid_request', 'The form repeats a field.');
    const form = body as Record<string, string | undefined>;
    if (!BrowserState.csrfMatches(interaction as Interaction, form.csrf))
      throw new OAuthError('access_denied', 'This form has expired. Go back to the application and try again.');
    return form;
  }

  private requestOf(client: OAuthClient, stored: StoredRequest): AuthorizationRequest {
    return {
      client,
      redirectUri: stored.redirectUri,
      redirectUriGiven: stored.redirectUriGiven,
      scopes: stored.scopes,
      codeChallenge: stored.codeChallenge,
      state: stored.state,
    };
  }

  private async finish(
    reply: FastifyReply,
    id: string,
    client: OAuthClient,
    stored: StoredRequest,
    userId: string,
    grantId: string,
  ) {
    if (!(await this.state.completeInteraction(id)))
      throw new OAuthError('invalid_request', 'This sign-in was already completed.');
    const code = await this.ctx.oauth.issueCode(grantId, this.requestOf(client, stored), userId);
    seeOther(reply, authorizationResponseUrl(stored.redirectUri, this.ctx.config.OAUTH_ISSUER, { code }, stored.state));
  }

  private async deny(reply: FastifyReply, id: string, stored: StoredRequest, why: string) {
    await this.state.completeInteraction(id);
    const error = new OAuthError('access_denied', why, { redirectable: true });
    seeOther(
      reply,
      authorizationResponseUrl(stored.redirectUri, this.ctx.config.OAUTH_ISSUER, { error }, stored.state),
    );
  }
}

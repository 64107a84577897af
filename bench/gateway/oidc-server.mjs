// oidc-provider (npm), the reference Node OAuth 2.0 / OpenID Connect server, as the peer of two
// benchmarks; storage in its in-memory adapter (development only, oidc-provider says; here with a
// larger store, see below), or, with OIDC_STORE_URL, in PostgreSQL through
// bench/gateway/oidc-pg-adapter.mjs (how it would run in production). Three clients, all confidential with client_secret_basic:
//   bench-api      (gateway bench) an opaque access token with the client_credentials grant (scope orders:read)
//   bench-gateway  (gateway bench) the resource server's proxy; authenticates to introspect
//   bench-web      (oauth bench) the authorization code grant with PKCE S256 (required) and
//                  refresh tokens rotated on every use; opaque access tokens for one API resource
//                  (RESOURCE, scope orders:read: oidc-provider's documented way to issue an
//                  OAuth 2.0 access token that is not for its own userinfo endpoint); access 1 h,
//                  refresh 14 days, codes 60 s — token-service's settings for the same application.
// The oauth bench signs its users in once through oidc-provider's own interaction (below: a
// bench-only login without a page, like oidc-provider's devInteractions, which records the
// consent as a Grant), then gets each code from GET /auth with that session cookie — oidc-provider
// answers 303 with a code straight away, as token-service does for a remembered consent.
// Run as a child process by the benches; prints `{"port":N,"issuer":...}` on stdout once
// listening. Env: PORT (default 0), CLIENT_SECRET (every client's secret), OIDC_STORE_URL (a
// PostgreSQL database for the adapter; default: in memory), OAUTH_REDIRECT_URI (bench-web's one
// redirect URI).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';
import { closeOidcStore, connectOidcStore, PgAdapter } from './oidc-pg-adapter.mjs';

const secret = process.env.CLIENT_SECRET ?? 'bench-secret-bench-secret-bench-secret-0000';
const redirectUri = process.env.OAUTH_REDIRECT_URI ?? 'https://bench.example.com/callback';
const RESOURCE = 'urn:latchkey:bench-api';
const WEB_CLIENT = 'bench-web';
const server = http.createServer();
await new Promise((r) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', r));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const storeUrl = process.env.OIDC_STORE_URL;
if (storeUrl) await connectOidcStore(storeUrl);
// in memory: oidc-provider's own MemoryAdapter on its own LRU store, with room for 10 million
// entries instead of its default 1,000 — at the oauth bench's rates the default store dropped
// codes minted seconds before their exchange (and sessions and grants) as it filled
const memoryStore = new LRU({ maxSize: 10_000_000 });
const provider = new Provider(issuer, {
  adapter: storeUrl ? PgAdapter : (model) => new MemoryAdapter(model, memoryStore),
  clients: [
    {
      client_id: 'bench-api',
      client_secret: secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'orders:read',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'bench-gateway',
      client_secret: secret,
      grant_types: [],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: WEB_CLIENT,
      client_secret: secret,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  scopes: ['openid', 'orders:read'],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // the gateway client may introspect any token (the default policy would allow it too; said explicitly)
      allowedPolicy: async (ctx, client) =>
        client.clientId === 'bench-gateway' || client.clientId === ctx.oidc.client?.clientId,
    },
    resourceIndicators: {
      enabled: true,
      // bench-web's requests are for the one API; every other client keeps the default (what it asked for)
      defaultResource: async (ctx, client, oneOf) => oneOf ?? (client.clientId === WEB_CLIENT ? RESOURCE : undefined),
      getResourceServerInfo: async (ctx, resource) => {
        if (resource !== RESOURCE) throw new Provider.errors.InvalidTarget();
        return { scope: 'orders:read', accessTokenFormat: 'opaque', accessTokenTTL: 3600 };
      },
    },
  },
  // PKCE on every authorization request (S256 is the only method oidc-provider 9 accepts)
  pkce: { required: () => true },
  // a new refresh token on every use; the old one, presented again, revokes the grant (oidc-provider's own rule)
  rotateRefreshToken: true,
  // as token-service: a refresh token whenever the client may use the refresh_token grant (the
  // default would want the openid scope and offline_access), bound to the grant, not to the
  // browser's login session (token-service's refresh tokens outlive the login session too)
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 3600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Session: 8 * 3600,
    Interaction: 600,
  },
});
// quiet: oidc-provider logs nothing by itself; count server errors only
let serverErrors = 0;
provider.on('server_error', () => serverErrors++);
const callback = provider.callback();

/**
 * The bench's sign-in and consent, `POST /interaction/<uid>` with `account=<id>`, as a login page
 * and then a consent page would submit them: at the login prompt, that account is logged in; at
 * the consent prompt, what oidc-provider says is missing is granted and saved as a Grant (the
 * steps of oidc-provider's own example interaction). Not a real login: the benches measure only
 * the token endpoint.
 */
async function finishInteraction(req, res) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const accountId = new URLSearchParams(body).get('account');
  const { prompt, params, session, grantId: existing } = await provider.interactionDetails(req, res);
  if (!accountId || params.client_id !== WEB_CLIENT) {
    res.writeHead(400).end('bad interaction');
    return;
  }
  let result;
  if (prompt.name === 'login') result = { login: { accountId } };
  else {
    const grant = existing
      ? await provider.Grant.find(existing)
      : new provider.Grant({ accountId: session.accountId, clientId: WEB_CLIENT });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/interaction/'))
    finishInteraction(req, res).catch((err) => {
      serverErrors++;
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err?.message ?? err));
    });
  else callback(req, res);
});
process.stdout.write(`${JSON.stringify({ port, issuer })}\n`);

const stop = () => {
  if (serverErrors) process.stderr.write(`oidc-provider: ${serverErrors} server errors\n`);
  server.close(() => closeOidcStore().finally(() => process.exit(0)));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

// oidc-provider (npm), the reference Node OAuth 2.0 / OpenID Connect server, for the gateway
// benchmark's comparison (c): token introspection (RFC 7662) enabled, the client_credentials
// grant enabled; storage in the default in-memory adapter (development only, oidc-provider says),
// or, with OIDC_STORE_URL, in PostgreSQL through bench/gateway/oidc-pg-adapter.mjs (how it would
// run in production). Two clients:
//   bench-api      may obtain an opaque access token with the client_credentials grant (scope orders:read)
//   bench-gateway  the resource server's proxy; authenticates with client_secret_basic to introspect
// Run as a child process by bench/gateway.bench.mjs; prints `{"port":N,"issuer":...}` on stdout
// once listening. Env: PORT (default 0), CLIENT_SECRET (both clients' secret), OIDC_STORE_URL
// (a PostgreSQL database for the adapter; default: in memory).
import http from 'node:http';
import Provider from 'oidc-provider';
import { closeOidcStore, connectOidcStore, PgAdapter } from './oidc-pg-adapter.mjs';

const secret = process.env.CLIENT_SECRET ?? 'bench-secret-bench-secret-bench-secret-0000';
const server = http.createServer();
await new Promise((r) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', r));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const storeUrl = process.env.OIDC_STORE_URL;
if (storeUrl) await connectOidcStore(storeUrl);
const provider = new Provider(issuer, {
  ...(storeUrl ? { adapter: PgAdapter } : {}),
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
  ],
  scopes: ['openid', 'orders:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // the gateway client may introspect any token (the default policy would allow it too; said explicitly)
      allowedPolicy: async (ctx, client) =>
        client.clientId === 'bench-gateway' || client.clientId === ctx.oidc.client?.clientId,
    },
  },
  ttl: { ClientCredentials: 3600 },
});
// quiet: oidc-provider logs nothing by itself; count server errors only
let serverErrors = 0;
provider.on('server_error', () => serverErrors++);
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ port, issuer })}\n`);

const stop = () => {
  if (serverErrors) process.stderr.write(`oidc-provider: ${serverErrors} server errors\n`);
  server.close(() => closeOidcStore().finally(() => process.exit(0)));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

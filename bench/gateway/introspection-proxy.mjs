// Comparison (c) of the gateway benchmark: a minimal introspection-per-request gateway, the way a
// resource server in front of oidc-provider would check opaque tokens without a local projection.
// node:http + undici. For every request: the bearer token from Authorization, one RFC 7662
// introspection call to oidc-provider (POST form, client_secret_basic, no caching), and on
// `active: true` with the required scope the request is streamed to the upstream with the
// identity headers; otherwise 401/403. Run as a child process by bench/gateway.bench.mjs; prints
// `{"port":N}` on stdout once listening.
// Env: PORT (default 0), UPSTREAM (base URL), INTROSPECTION_URL, CLIENT_ID, CLIENT_SECRET,
// REQUIRED_SCOPE (default orders:read).
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { Agent } from 'undici';

const upstream = new URL(process.env.UPSTREAM);
const introspectionUrl = new URL(process.env.INTROSPECTION_URL);
const basic = `Basic ${Buffer.from(`${encodeURIComponent(process.env.CLIENT_ID)}:${encodeURIComponent(process.env.CLIENT_SECRET)}`).toString('base64')}`;
const requiredScope = process.env.REQUIRED_SCOPE ?? 'orders:read';
// the same pool settings as the gateway's upstream agent
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'authorization',
]);

function refuse(res, status, error) {
  const body = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json',
    'www-authenticate': `Bearer realm="bench", error="${error}"`,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function introspect(token) {
  const r = await agent.request({
    origin: introspectionUrl.origin,
    path: introspectionUrl.pathname,
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: `token=${encodeURIComponent(token)}&token_type_hint=access_token`,
  });
  const json = await r.body.json();
  if (r.statusCode !== 200) throw new Error(`introspection answered ${r.statusCode}`);
  return json;
}

async function handle(req, res) {
  const auth = req.headers.authorization;
  if (!auth || !auth.startsWith('Bearer ')) return refuse(res, 401, 'invalid_request');
  let info;
  try {
    info = await introspect(auth.slice(7));
  } catch {
    return refuse(res, 503, 'temporarily_unavailable');
  }
  if (info.active !== true) return refuse(res, 401, 'invalid_token');
  if (
    !String(info.scope ?? '')
      .split(' ')
      .includes(requiredScope)
  )
    return refuse(res, 403, 'insufficient_scope');
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && !k.startsWith('x-auth-')) headers[k] = v;
  headers['x-auth-subject'] = String(info.sub ?? info.client_id);
  headers['x-auth-client-id'] = String(info.client_id);
  headers['x-auth-scopes'] = String(info.scope);
  try {
    const up = await agent.request({
      origin: upstream.origin,
      path: upstream.pathname.replace(/\/$/, '') + req.url,
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req,
    });
    const out = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode, out);
    for await (const chunk of up.body) res.write(chunk);
    res.end();
  } catch {
    if (!res.headersSent) refuse(res, 502, 'upstream_unavailable');
    else res.destroy();
  }
}

const server = http.createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
);
const stop = () => {
  server.close(() => agent.close().then(() => process.exit(0)));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

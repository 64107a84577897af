import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { EventProducer, ensureTopics } from '@latchkey/messaging';
import { deleteTestTopics, testKafka, uniqueTopic } from '@latchkey/testing';
import { EventFactory } from '@latchkey/token-verifier/testing';
import { loadGatewayConfig } from './config/gateway.config';
import { startGateway, type Gateway } from './gateway';
import { loadRoutePolicy } from './routes';
import { ACCEPTED_TARGETS, REFUSED_TARGETS } from './routes/request-path.cases';

/** What the upstream saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  completed: boolean;
}

/** One HTTP/1.1 answer as read off a raw socket. */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw TCP connection to a listener: what was received so far, waits on it, and whether the peer closed. */
class RawConnection {
  received = '';
  closed = false;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (this.received += d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined); // a reset after the answer is fine; the test reads what came
  }

  static async open(port: number): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawConnection(socket);
  }

  write(data: string): void {
    this.socket.write(data, 'latin1');
  }

  async until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; received ${this.received}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The answers received so far (1xx ones included), each whole (by Content-Length). */
  answers(): RawAnswer[] {
    const out: RawAnswer[] = [];
    let rest = this.received;
    for (;;) {
      const end = rest.indexOf('\r\n\r\n');
      if (end < 0) return out;
      const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = Number(statusLine!.split(' ')[1]);
      const length = status < 200 ? 0 : Number(headers['content-length'] ?? 0);
      if (rest.length < end + 4 + length) return out;
      out.push({ status, headers, body: rest.slice(end + 4, end + 4 + length) });
      rest = rest.slice(end + 4 + length);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends one request (`Connection: close`) and reads its final answer. */
async function rawRequest(port: number, head: string, body = ''): Promise<RawAnswer> {
  const c = await RawConnection.open(port);
  try {
    c.write(head + body);
    await c.until(() => c.answers().some((a) => a.status >= 200) || c.closed, 'an answer');
    const final = c.answers().find((a) => a.status >= 200);
    if (!final) throw new Error(`no answer; received ${JSON.stringify(c.received)}`);
    return final;
  } finally {
    c.close();
  }
}

const json = (a: RawAnswer) => JSON.parse(a.body) as Record<string, unknown>;

/**
 * The gateway's edge through the real server: request paths, header rules, trusted proxies,
 * body limit, Expect, client timeouts, per-route rate limits and the miss fallback's per-client
 * budget — real Kafka, a real loopback upstream that records what it receives, raw sockets where
 * a client library would normalize or refuse what an attacker sends.
 */
describe('gateway edge (real Kafka, real upstream, raw sockets)', () => {
  const kafka = testKafka('gateway-edge-test');
  const topics = {
    identity: uniqueTopic('gwe-identity'),
    tokens: uniqueTopic('gwe-tokens'),
    applications: uniqueTopic('gwe-apps'),
    usage: uniqueTopic('gwe-usage'),
  };
  const f = new EventFactory();
  const account = randomUUID();
  const seen: Seen[] = [];
  let introspections = 0;
  let upstream: Server;
  let introspection: Server;
  let producer: EventProducer;
  /** Trusts no proxy (the default). */
  let edge: Gateway;
  /** Trusts 127.0.0.1 as a proxy: clients are told apart by X-Forwarded-For. */
  let behindProxy: Gateway;
  let edgePort: number;
  let proxiedPort: number;

  const portOf = (s: Server) => (s.address() as AddressInfo).port;

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const entry: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: '', completed: false };
      seen.push(entry);
      req.setEncoding('latin1');
      req.on('data', (c: string) => (entry.body += c));
      req.on('end', () => {
        entry.completed = true;
        const body = JSON.stringify({ ok: true });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
      });
    });
    introspection = createServer((req, res) => {
      introspections++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"active":false}'));
    });
    await Promise.all([
      new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r)),
      new Promise<void>((r) => introspection.listen(0, '127.0.0.1', r)),
    ]);
    const up = `http://127.0.0.1:${portOf(upstream)}`;
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, withDlq: false })),
    );
    producer = new EventProducer(kafka);
    await producer.connect();
    const protectedRoute = { upstream: up, scopes: ['orders:read'], account: { header: 'X-Account-Id' } };
    const policy = loadRoutePolicy(
      JSON.stringify({
        routes: [
          { name: 'strict', match: { path: '/strict' }, ...protectedRoute, rateLimit: { perTokenPerSecond: 0.01 } },
          { name: 'lax', match: { path: '/lax' }, ...protectedRoute, rateLimit: { perTokenPerSecond: 1000 } },
          { name: 'upload', match: { path: '/upload', methods: ['POST', 'PUT'] }, ...protectedRoute },
          { name: 'admin', match: { path: '/admin/users/:userId' }, ...protectedRoute },
          { name: 'open', match: { path: '/*' }, upstream: up, public: true },
        ],
      }),
      'routes.json',
    );
    const env = {
      INTROSPECTION_URL: `http://127.0.0.1:${portOf(introspection)}/introspect`,
      MISS_FALLBACK_PER_SECOND: '5',
      MISS_FALLBACK_PER_CLIENT_PER_SECOND: '1',
      BODY_LIMIT_BYTES: '1000',
      HEADERS_TIMEOUT_SECONDS: '1',
      REQUEST_TIMEOUT_SECONDS: '2',
      USAGE_FLUSH_SECONDS: '1',
    };
    edge = await startGateway(loadGatewayConfig(env), { kafka, topics, policy });
    behindProxy = await startGateway(loadGatewayConfig({ ...env, TRUSTED_PROXIES: '127.0.0.1/32' }), {
      kafka,
      topics,
      policy,
    });
    for (const g of [edge, behindProxy]) await g.server.listen({ port: 0, host: '127.0.0.1' });
    edgePort = portOf(edge.server.server);
    proxiedPort = portOf(behindProxy.server.server);
    await Promise.all([edge.verifier.ready(), behindProxy.verifier.ready()]);
  }, 120_000);
  afterAll(async () => {
    await edge?.stop();
    await behindProxy?.stop();
    await producer?.disconnect();
    await new Promise((r) => upstream.close(r));
    await new Promise((r) => introspection.close(r));
    await deleteTestTopics(kafka);
  });

  /** A human member of the account with a PAT holding orders:read, known to both gateways. */
  async function token(): Promise<string> {
    const userId = randomUUID();
    const p = f.pat(userId, { accountIds: [account], scopes: ['orders:read'] });
    await producer.publish([
      {
        topic: topics.identity,
        envelope: f.event('UserRegistered', userId, { userId, kind: 'human', displayName: 'u', accountIds: [account] }),
      },
      {
        topic: topics.identity,
        envelope: f.event('MembershipChanged', userId, {
          userId,
          accountId: account,
          roles: ['r'],
          permissions: ['orders:read'],
        }),
      },
      { topic: topics.tokens, envelope: p.issued },
    ]);
    await Promise.all([edge.verifier.catchUp(), behindProxy.verifier.catchUp()]);
    return p.token;
  }

  const get = (port: number, path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, { headers });

  describe('request paths (item 10): refused before routing, or passed upstream byte for byte', () => {
    // Node's own parser refuses these before the gateway sees them (400 malformed_request)
    const refusedByNode = new Set(['files/a', '/files/a b', '/files/a\u00e9', '/files/a\u0001', '/files/a\u007f']);

    it.each(REFUSED_TARGETS)('refuses %j with 400 (%s); the upstream sees nothing', async (target, reason) => {
      seen.length = 0;
      const answer = await rawRequest(edgePort, `GET ${target} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`);
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      if (refusedByNode.has(target)) expect(json(answer)).toMatchObject({ code: 'malformed_request' });
      else expect(json(answer)).toMatchObject({ status: 400, code: 'invalid_path', reason });
      expect(seen).toEqual([]);
    });

    it.each(ACCEPTED_TARGETS)('passes %j to the upstream exactly as received', async (target) => {
      seen.length = 0;
      const answer = await rawRequest(edgePort, `GET ${target} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`);
      expect(answer.status).toBe(200);
      expect(seen.map((s) => s.url)).toEqual([target]);
    });

    it('answers a method no route can list like an unmatched route (404 problem), without reaching the upstream', async () => {
      seen.length = 0;
      const answer = await rawRequest(edgePort, 'TRACE /files/x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
      expect([answer.status, json(answer).code]).toEqual([404, 'not_found']);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(seen).toEqual([]);
    });

    it('refuses an ambiguous path on a protected route before the token is even looked at', async () => {
      const t = await token();
      seen.length = 0;
      const answer = await rawRequest(
        edgePort,
        `GET /admin/users/%2e%2e HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${t}\r\nX-Account-Id: ${account}\r\nConnection: close\r\n\r\n`,
      );
      expect([answer.status, json(answer).reason]).toEqual([400, 'encoded_dot']);
      expect(seen).toEqual([]);
    });

    it('a protected route ignores literal case and one trailing slash: the spelling never slips to the public catch-all', async () => {
      seen.length = 0;
      for (const path of ['/ADMIN/Users/u1', '/admin/users/u1/', '/Admin/USERS/u1/'])
        expect((await get(edgePort, path)).status).toBe(401);
      expect(seen).toEqual([]);
      const t = await token();
      const ok = await get(edgePort, '/Admin/Users/U1/', { authorization: `Bearer ${t}`, 'x-account-id': account });
      expect(ok.status).toBe(200);
      expect(seen.map((s) => s.url)).toEqual(['/Admin/Users/U1/']);
    });
  });

  describe('rate limits by route and token (item 11)', () => {
    it('a token at its strict route’s limit stays limited while it calls a lax route', async () => {
      const t = await token();
      const headers = { authorization: `Bearer ${t}`, 'x-account-id': account };
      expect((await get(edgePort, '/strict', headers)).status).toBe(200);
      const limited = await get(edgePort, '/strict', headers);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(1);
      for (let i = 0; i < 20; i++) expect((await get(edgePort, '/lax', headers)).status).toBe(200);
      expect((await get(edgePort, '/strict', headers)).status).toBe(429);
    });
  });

  describe('headers (item 12)', () => {
    it('drops identity headers in every spelling frameworks fold together, and forwarding headers from an untrusted peer', async () => {
      const t = await token();
      seen.length = 0;
      const spoofed = {
        'X-Auth-Subject': 'mallory',
        X_Auth_Subject: 'mallory',
        'x-auth_subject': 'mallory',
        x_auth_scopes: 'everything:*',
        'X-Auth-Token_Id': 'tok_mallory',
        forwarded: 'for=10.9.9.9',
        'x-real-ip': '10.9.9.9',
        'x-forwarded-for': '10.9.9.9',
        'x-forwarded-host': 'admin.internal',
        'x-forwarded-proto': 'https',
        'x-forwarded-port': '443',
        'x-forwarded-prefix': '/admin',
        x_forwarded_for: '10.9.9.9',
        'x-original-url': '/admin/users/u1',
        'x-http-method-override': 'DELETE',
      };
      for (const [path, extra] of [
        ['/files/x', {}],
        ['/admin/users/u1', { authorization: `Bearer ${t}`, 'x-account-id': account }],
      ] as const) {
        expect((await get(edgePort, path, { ...spoofed, ...extra })).status).toBe(200);
      }
      expect(seen).toHaveLength(2);
      for (const s of seen) {
        const names = Object.keys(s.headers);
        expect(names.filter((n) => n.includes('_'))).toEqual([]);
        expect(names.filter((n) => n.startsWith('x-forwarded-')).sort()).toEqual([
          'x-forwarded-for',
          'x-forwarded-host',
          'x-forwarded-proto',
        ]);
        expect(s.headers).toMatchObject({
          'x-forwarded-for': '127.0.0.1',
          'x-forwarded-proto': 'http',
          'x-forwarded-host': `127.0.0.1:${edgePort}`,
        });
        for (const n of ['forwarded', 'x-real-ip', 'x-original-url', 'x-http-method-override'])
          expect(s.headers[n]).toBeUndefined();
      }
      expect(seen[0]!.headers['x-auth-subject']).toBeUndefined();
      expect(seen[0]!.headers['x-auth-scopes']).toBeUndefined();
      expect(seen[1]!.headers['x-auth-subject']).not.toBe('mallory');
      expect(seen[1]!.headers['x-auth-scopes']).toBe('orders:read');
      expect(seen[1]!.headers['x-auth-token-id']).not.toBe('tok_mallory');
    });

    it('behind a trusted proxy: keeps its forwarding headers and appends the peer to the chain', async () => {
      seen.length = 0;
      const res = await get(proxiedPort, '/files/x', {
        forwarded: 'for=198.51.100.7;proto=https',
        'x-forwarded-for': '198.51.100.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'api.example.com',
        x_forwarded_for: '10.9.9.9',
      });
      expect(res.status).toBe(200);
      expect(seen[0]!.headers).toMatchObject({
        forwarded: 'for=198.51.100.7;proto=https',
        'x-forwarded-for': '198.51.100.7, 127.0.0.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'api.example.com',
      });
      expect(seen[0]!.headers.x_forwarded_for).toBeUndefined();
    });
  });

  describe('body limit (item 12)', () => {
    it('refuses a declared Content-Length over the limit with 413 before anything reaches the upstream', async () => {
      seen.length = 0;
      const answer = await rawRequest(
        edgePort,
        'POST /files/x HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\n',
        'x'.repeat(5000),
      );
      expect([answer.status, json(answer).code]).toEqual([413, 'body_too_large']);
      expect(seen).toEqual([]);
    });

    it('streams a chunked body within the limit; over it, answers 413 and aborts the upstream request', async () => {
      const t = await token();
      seen.length = 0;
      const post = (chunks: string[]) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port: edgePort,
              method: 'POST',
              path: '/upload',
              headers: { authorization: `Bearer ${t}`, 'x-account-id': account, 'content-type': 'text/plain' },
            },
            (res) => {
              let body = '';
              res.on('data', (c) => (body += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          req.on('error', reject);
          let i = 0;
          const next = () => {
            if (i === chunks.length) return void req.end();
            req.write(chunks[i++]);
            setTimeout(next, 20);
          };
          next();
        });
      expect((await post(['a'.repeat(500), 'a'.repeat(500)])).status).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]!).toMatchObject({ completed: true, body: 'a'.repeat(1000) });
      expect(seen[0]!.headers['transfer-encoding']).toBe('chunked');

      const over = await post(['b'.repeat(600), 'b'.repeat(600), 'b'.repeat(600)]);
      expect(over.status).toBe(413);
      expect(JSON.parse(over.body)).toMatchObject({ code: 'body_too_large' });
      await waitUntil(() => seen.length === 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen[1]!.completed).toBe(false); // aborted: never a cut body taken for whole
      expect(seen[1]!.body.length).toBeLessThanOrEqual(1000);
    });
  });

  describe('Expect (item 12)', () => {
    it('answers 100 Continue only once the request is routed and authorized, then streams the body', async () => {
      const t = await token();
      seen.length = 0;
      const c = await RawConnection.open(edgePort);
      c.write(
        `PUT /upload HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${t}\r\nX-Account-Id: ${account}\r\n` +
          'Content-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      );
      await c.until(() => c.answers().length > 0, '100 Continue');
      expect(c.answers()[0]!.status).toBe(100);
      c.write('hello');
      await c.until(() => c.answers().length > 1, 'the final answer');
      c.close();
      expect(c.answers()[1]!.status).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.body).toBe('hello');
      expect(seen[0]!.headers.expect).toBeUndefined();
    });

    it('refuses an unauthenticated request that expects 100-continue without ever saying Continue', async () => {
      seen.length = 0;
      const c = await RawConnection.open(edgePort);
      c.write(
        'PUT /upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      );
      await c.until(() => c.answers().length > 0, 'an answer');
      c.close();
      expect(c.answers().map((a) => a.status)).toEqual([401]);
      expect(c.received).not.toContain('100 Continue');
      expect(seen).toEqual([]);
    });

    it('refuses any other expectation with 417', async () => {
      seen.length = 0;
      const answer = await rawRequest(
        edgePort,
        'POST /files/x HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nExpect: 200-ok\r\nConnection: close\r\n\r\n',
        'hi',
      );
      expect([answer.status, json(answer).code]).toEqual([417, 'expectation_failed']);
      expect(seen).toEqual([]);
    });
  });

  describe('client timeouts (item 12)', () => {
    it('closes a connection whose headers stall (slowloris) with 408', async () => {
      const c = await RawConnection.open(edgePort);
      c.write('GET /files/x HTTP/1.1\r\nHost: gw\r\nX-Slow: 1\r\n'); // never finishes its headers
      await c.until(() => c.closed, 'the gateway to close the connection');
      const [answer] = c.answers();
      expect([answer?.status, answer && json(answer).code]).toEqual([408, 'request_timeout']);
    }, 20_000);

    it('closes a connection whose body stalls with 408, and aborts the upstream request', async () => {
      seen.length = 0;
      const c = await RawConnection.open(edgePort);
      c.write('POST /files/x HTTP/1.1\r\nHost: gw\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc');
      await c.until(() => c.closed, 'the gateway to close the connection');
      const [answer] = c.answers();
      expect([answer?.status, answer && json(answer).code]).toEqual([408, 'request_timeout']);
      await waitUntil(() => seen.length === 1);
      expect(seen[0]!).toMatchObject({ url: '/files/x', body: 'abc', completed: false });
    }, 20_000);
  });

  describe('miss fallback budget per client address (item 13)', () => {
    const unknownToken = () => f.pat(randomUUID(), { accountIds: [account], scopes: ['orders:read'] }).token;
    const tryToken = (port: number, headers: Record<string, string> = {}) =>
      get(port, '/admin/users/u1', { authorization: `Bearer ${unknownToken()}`, 'x-account-id': account, ...headers });

    it('a client flooding random well-formed tokens spends its own budget, not everyone’s', async () => {
      await new Promise((r) => setTimeout(r, 1100)); // both budgets full again
      const before = introspections;
      // a flood arrives at once (each unknown token first waits briefly for its TokenIssued)
      const flood = await Promise.all(
        Array.from({ length: 10 }, () => tryToken(proxiedPort, { 'x-forwarded-for': '198.51.100.1' })),
      );
      expect(flood.map((r) => r.status)).toEqual(Array(10).fill(401));
      const byFlooder = introspections - before;
      expect(byFlooder).toBeLessThanOrEqual(2); // 1 per second, bursts of 2
      expect((await tryToken(proxiedPort, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(401);
      expect(introspections - before).toBe(byFlooder + 1); // another client still gets its fresh token looked up
    });

    it('without a trusted proxy the budget is the peer’s: a forged X-Forwarded-For buys no fresh budget', async () => {
      await new Promise((r) => setTimeout(r, 1100));
      const before = introspections;
      const flood = await Promise.all(
        Array.from({ length: 10 }, (_, i) => tryToken(edgePort, { 'x-forwarded-for': `198.51.100.${10 + i}` })),
      );
      expect(flood.map((r) => r.status)).toEqual(Array(10).fill(401));
      expect(introspections - before).toBeLessThanOrEqual(2);
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

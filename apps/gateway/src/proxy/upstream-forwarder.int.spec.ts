import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamForwarder, type ForwardOutcome } from './upstream-forwarder';

/** Real loopback servers on both sides: a front server that forwards everything with the forwarder, and an upstream per test. */
describe('UpstreamForwarder (loopback HTTP on both sides)', () => {
  const servers: http.Server[] = [];
  let forwarder: UpstreamForwarder;
  let outcomes: ForwardOutcome[];

  async function listen(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The front server: forwards every request to `origin` (hop-by-hop headers left to the forwarder's caller: none here). */
  function front(origin: string, bodyLimit?: number): Promise<string> {
    return listen((req, res) => {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k))
          headers[k] = v;
      void forwarder
        .forward(
          {
            origin,
            path: req.url ?? '/',
            method: req.method ?? 'GET',
            headers,
            body: hasBody ? req : undefined,
            bodyLimit,
          },
          res,
          (r, problem) =>
            problem === 'body_too_large'
              ? r.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end('too large')
              : r.writeHead(502, { 'content-type': 'text/plain' }).end('unreachable'),
        )
        .then((o) => outcomes.push(o));
    });
  }

  beforeEach(() => {
    forwarder = new UpstreamForwarder({ timeoutMs: 300 });
    outcomes = [];
  });
  afterEach(async () => {
    await forwarder.close();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('streams a request body up and the answer back, status and headers (repeated ones too), dropping hop-by-hop headers', async () => {
    let seen: { method?: string; url?: string; body: string; probe?: string } = { body: '' };
    const upstream = await listen(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      seen = { method: req.method, url: req.url, body, probe: req.headers['x-probe'] as string };
      res.writeHead(
        201,
        [
          ['content-type', 'text/plain'],
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
          ['keep-alive', 'timeout=77, max=3'],
          ['x-upstream', 'yes'],
        ].flat(),
      );
      res.end(`got ${body.length} bytes`);
    });
    const base = await front(upstream);
    const payload = 'x'.repeat(200_000);
    const res = await fetch(`${base}/things/7?q=1`, {
      method: 'POST',
      headers: { 'x-probe': 'p1', 'content-type': 'text/plain' },
      body: payload,
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('got 200000 bytes');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-upstream')).toBe('yes');
    expect(res.headers.get('keep-alive')).not.toBe('timeout=77, max=3'); // the upstream's hop-by-hop header is not passed on
    expect(seen).toEqual({ method: 'POST', url: '/things/7?q=1', body: payload, probe: 'p1' });
    expect(outcomes).toEqual([{ status: 201, answered: true }]);
  });

  it('streams a body within bodyLimit whole; one byte over (chunked, no Content-Length) is a 413 and the upstream request is aborted', async () => {
    const received: Array<{ bytes: number; completed: boolean }> = [];
    const upstream = await listen((req, res) => {
      const entry = { bytes: 0, completed: false };
      received.push(entry);
      req.on('data', (c: Buffer) => (entry.bytes += c.length));
      req.on('end', () => {
        entry.completed = true;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${entry.bytes}`);
      });
    });
    const base = await front(upstream, 100_000);
    const within = await fetch(`${base}/upload`, { method: 'POST', body: 'a'.repeat(100_000) });
    expect([within.status, await within.text()]).toEqual([200, 'got 100000']);

    const { port } = new URL(base);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/upload' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('b'.repeat(60_000)); // chunked: no Content-Length to check up front
      setTimeout(() => req.write('b'.repeat(60_000)), 50);
    });
    expect(answer).toEqual({ status: 413, body: 'too large' });
    await waitFor(() => outcomes.length === 2);
    expect(outcomes).toEqual([
      { status: 200, answered: true },
      { status: 413, answered: false },
    ]);
    expect(received).toHaveLength(2);
    expect(received[1]!.completed).toBe(false); // aborted, never a truncated body taken for whole
    expect(received[1]!.bytes).toBeLessThanOrEqual(100_000);
  });

  it('delivers a 5 MB answer whole to a client that reads slowly (backpressure pauses the upstream)', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'z');
    const upstream = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(80 * chunk.length) });
      let i = 0;
      const pump = () => {
        while (i < 80) {
          i++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const base = await front(upstream);
    const res = await new Promise<IncomingMessage>((resolve) => http.get(`${base}/big`, resolve));
    res.pause();
    await new Promise((r) => setTimeout(r, 200)); // the client does not read for a while
    let bytes = 0;
    for await (const c of res) {
      bytes += (c as Buffer).length;
      if (bytes % (1024 * 1024) < 64 * 1024) await new Promise((r) => setTimeout(r, 5));
    }
    expect(bytes).toBe(80 * chunk.length);
    expect(outcomes).toEqual([{ status: 200, answered: true }]);
  });

  it('answers through onProblem (unreachable) when nothing listens upstream, and when the upstream is silent past the timeout', async () => {
    const closed = await listen(() => {});
    const closedOrigin = closed;
    const s = servers.pop()!;
    await new Promise((r) => s.close(r)); // nothing listens on this port any more
    const silent = await listen(() => {}); // accepts, never answers
    const toClosed = await front(closedOrigin);
    const toSilent = await front(silent);
    for (const base of [toClosed, toSilent]) {
      const res = await fetch(`${base}/x`);
      expect(res.status).toBe(502);
      expect(await res.text()).toBe('unreachable');
    }
    expect(outcomes).toEqual([
      { status: 502, answered: false },
      { status: 502, answered: false },
    ]);
  });

  it('breaks the client connection off (never a short answer taken for whole) when the upstream dies mid-body', async () => {
    const upstream = await listen((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x'.repeat(100));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const base = await front(upstream);
    await expect(fetch(`${base}/half`).then((r) => r.text())).rejects.toThrow();
    await waitFor(() => outcomes.length === 1);
    expect(outcomes).toEqual([{ status: 200, answered: true }]);
  });

  it('skips 1xx informational answers and relays the final one', async () => {
    const upstream = await listen((_req, res: ServerResponse) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('final');
    });
    const base = await front(upstream);
    const res = await fetch(`${base}/hints`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('final');
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamClosed = false;
    const upstream = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('start');
      res.on('close', () => (upstreamClosed = true)); // never ended by the upstream itself
    });
    const base = await front(upstream);
    const req = http.get(`${base}/stream`);
    const res = await once(req, 'response').then(([r]) => r as IncomingMessage);
    await once(res, 'data');
    req.destroy();
    await waitFor(() => upstreamClosed);
    await waitFor(() => outcomes.length === 1);
    expect(upstreamClosed).toBe(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

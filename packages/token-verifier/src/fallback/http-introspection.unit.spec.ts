import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpIntrospection, parseIntrospection } from './http-introspection';
import { MissFallback } from './miss-fallback';

/** A real HTTP server on a loopback port, answering as the test tells it to. */
describe('httpIntrospection', () => {
  let server: Server;
  let url: string;
  let answer: (req: IncomingMessage, body: string) => { status: number; body: string; delayMs?: number };
  const seen: Array<{ body: string; authorization?: string; contentType?: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ body, authorization: req.headers.authorization, contentType: req.headers['content-type'] });
        const a = answer(req, body);
        setTimeout(() => res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body), a.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/introspect`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => (seen.length = 0));

  it('posts the hash (never a token) with the service credential and reads the answer', async () => {
    answer = () => ({
      status: 200,
      body: JSON.stringify({
        active: true,
        sub: 'u1',
        subject_kind: 'human',
        token_id: 't1',
        grant_id: 'g1',
        accounts: ['acct-1'],
        scope: 'orders:read',
        exp: 4_000_000_000,
      }),
    });
    const introspect = httpIntrospection({ url, credential: 'svc-secret' });
    const a = await introspect('abc_hash');
    expect(a).toMatchObject({
      active: true,
      sub: 'u1',
      token_id: 't1',
      grant_id: 'g1',
      accounts: ['acct-1'],
      scope: 'orders:read',
    });
    expect(seen).toEqual([
      {
        body: 'token_hash=abc_hash',
        authorization: 'Bearer svc-secret',
        contentType: 'application/x-www-form-urlencoded',
      },
    ]);
  });

  it.each([
    ['a 401', { status: 401, body: '{"error":"invalid_client"}' }],
    ['a 500', { status: 500, body: 'oops' }],
    ['not JSON', { status: 200, body: '<html>' }],
    ['no active field', { status: 200, body: '{"sub":"u1"}' }],
    ['a wrong field type', { status: 200, body: '{"active":true,"accounts":"acct-1"}' }],
    ['a slow answer', { status: 200, body: '{"active":true}', delayMs: 400 }],
  ])('fails closed (unknown) on %s', async (_label, reply) => {
    answer = () => reply;
    const fallback = new MissFallback({ introspect: httpIntrospection({ url, timeoutMs: 150 }) });
    expect(await fallback.resolve('h', {})).toEqual({ active: false, reason: 'unknown' });
    expect(seen).toHaveLength(1);
  });

  it('reads an inactive answer as inactive whatever else it says', () => {
    expect(parseIntrospection({ active: false, sub: 42 })).toEqual({ active: false });
  });
});

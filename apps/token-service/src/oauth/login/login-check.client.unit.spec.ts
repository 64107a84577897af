import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoginCheckUnavailableError, httpLoginCheck } from './login-check.client';

/** A loopback HTTP server answering as identity-service's login check would (its contract, not its logic). */
describe('httpLoginCheck (against a loopback HTTP server)', () => {
  let server: Server;
  let url: string;
  let answer: (req: IncomingMessage, body: string) => { status: number; body: string; delayMs?: number };
  const seen: Array<{ auth: string | undefined; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        const a = answer(req, body);
        setTimeout(() => res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body), a.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/login-check`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends the e-mail, password and address with the service credential, and reads a success', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ ok: true, userId: 'u1', kind: 'human' }) });
    const check = httpLoginCheck(url, 'credential-of-32-characters-or-more!');
    expect(await check({ email: 'ada@example.com', password: 'pw', clientAddress: '10.0.0.1' })).toEqual({
      ok: true,
      userId: 'u1',
      kind: 'human',
    });
    expect(seen.at(-1)).toEqual({
      auth: 'Bearer credential-of-32-characters-or-more!',
      body: JSON.stringify({ email: 'ada@example.com', password: 'pw', clientAddress: '10.0.0.1' }),
    });
  });

  it('reads a refusal as it is', async () => {
    for (const reason of ['invalid_credentials', 'locked']) {
      answer = () => ({ status: 200, body: JSON.stringify({ ok: false, reason }) });
      expect(await httpLoginCheck(url, 'c')({ email: 'a', password: 'b' })).toEqual({ ok: false, reason });
    }
  });

  it.each([
    ['a 500', { status: 500, body: '{}' }],
    ['a 401', { status: 401, body: '{}' }],
    ['no JSON', { status: 200, body: 'hello' }],
    ['an unknown shape', { status: 200, body: JSON.stringify({ ok: 'yes' }) }],
    ['an unknown kind', { status: 200, body: JSON.stringify({ ok: true, userId: 'u', kind: 'robot' }) }],
    [
      'no answer in time',
      { status: 200, body: JSON.stringify({ ok: true, userId: 'u', kind: 'human' }), delayMs: 300 },
    ],
  ])('treats %s as unavailable, never as a success', async (_what, a) => {
    answer = () => a;
    await expect(httpLoginCheck(url, 'c', 100)({ email: 'a', password: 'b' })).rejects.toBeInstanceOf(
      LoginCheckUnavailableError,
    );
  });

  it('treats an unreachable service as unavailable', async () => {
    await expect(httpLoginCheck('http://127.0.0.1:1/x', 'c')({ email: 'a', password: 'b' })).rejects.toBeInstanceOf(
      LoginCheckUnavailableError,
    );
  });
});

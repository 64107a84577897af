// The trivial upstream of the gateway benchmark: node:http on loopback answering every request
// with a small JSON 200. Run as a child process by bench/gateway.bench.mjs; prints
// `{"port":N}` on stdout once listening. Env: PORT (default 0 = a free port).
import { Buffer } from 'node:buffer';
import http from 'node:http';

const body = Buffer.from(JSON.stringify({ ok: true, service: 'bench-upstream' }));
const server = http.createServer((req, res) => {
  // drain any request body, then answer
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

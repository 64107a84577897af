// Token verifier benchmark (issue 3): verify() calls per second against jose's jwtVerify of an
// equivalent HS256 and RS256 JWT, and heap bytes per live token at 100 k and 1 M tokens.
// In-process, no network. Run: node --expose-gc bench/run.mjs verifier (npm run bench does).
import { randomUUID, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { SignJWT, jwtVerify, importPKCS8, importSPKI } from 'jose';
import { report } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const { TokenProjection, verifyToken } = require('@latchkey/token-verifier');
const { generateSecret, hashSecret, displayPrefix } = require('@latchkey/token-format');

const gc = globalThis.gc ?? (() => {});
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

function issued(userId, account, n) {
  const token = generateSecret('pat');
  const grantId = randomUUID();
  return {
    token,
    event: {
      id: randomUUID(),
      type: 'TokenIssued',
      schemaVersion: 1,
      source: 'bench',
      aggregateType: 'grant',
      aggregateId: grantId,
      aggregateVersion: 1,
      occurredAt: new Date().toISOString(),
      data: {
        tokenId: randomUUID(),
        grantId,
        tokenKind: 'pat',
        tokenHash: hashSecret(token),
        displayPrefix: displayPrefix(token),
        userId,
        accountIds: [account],
        scopes: ['orders:read', 'orders:update'],
        issuedAt: new Date().toISOString(),
        expiresAt: null,
      },
    },
    n,
  };
}

function projectionWith(count, keepTokens) {
  const p = new TokenProjection();
  const userIds = Array.from({ length: 1000 }, () => randomUUID());
  userIds.forEach((userId, i) => {
    p.apply({
      id: randomUUID(),
      type: 'UserRegistered',
      schemaVersion: 1,
      source: 'bench',
      aggregateType: 'user',
      aggregateId: userId,
      aggregateVersion: 1,
      occurredAt: new Date().toISOString(),
      data: { userId, kind: 'human', email: `u${i}@example.com`, displayName: 'U', accountIds: ['acct-1'] },
    });
    p.apply({
      id: randomUUID(),
      type: 'MembershipChanged',
      schemaVersion: 1,
      source: 'bench',
      aggregateType: 'user',
      aggregateId: userId,
      aggregateVersion: 2,
      occurredAt: new Date().toISOString(),
      data: {
        userId,
        accountId: 'acct-1',
        roles: ['member'],
        permissions: ['orders:read', 'orders:update', 'orders:create'],
      },
    });
  });
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const t = issued(userIds[i % userIds.length], 'acct-1', i);
    p.apply(t.event);
    if (keepTokens && tokens.length < 100_000) tokens.push(t.token);
  }
  return { p, tokens };
}

async function opsPerSecond(fn) {
  for (let i = 0; i < 2000; i++) await fn(i); // warm-up
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 500; i++) await fn(n++);
  }
  return Math.round(n / SECONDS);
}

function opsPerSecondSync(fn) {
  for (let i = 0; i < 20000; i++) fn(i);
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) for (let i = 0; i < 5000; i++) fn(n++);
  return Math.round(n / SECONDS);
}

function heapPerToken(count) {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const { p } = projectionWith(count, false);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  const bytes = Math.round((after - before) / count);
  if (p.size !== count) throw new Error('projection lost tokens');
  return { tokens: count, bytesPerToken: bytes };
}

export async function run() {
  const { p, tokens } = projectionWith(100_000, true);
  const options = { account: 'acct-1', requiredScopes: ['orders:read'] };
  const verify = opsPerSecondSync((i) => {
    const r = verifyToken(p, tokens[i % tokens.length], options);
    if (!r.active) throw new Error('inactive');
  });

  const claims = { sub: randomUUID(), scope: 'orders:read orders:update', acct: ['acct-1'], jti: randomUUID() };
  const secret = randomBytes(32);
  const hs = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(secret);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'RS256');
  const pub = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }), 'RS256');
  const rs = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(priv);
  const joseHs256 = await opsPerSecond(() => jwtVerify(hs, secret));
  const joseRs256 = await opsPerSecond(() => jwtVerify(rs, pub));

  const heap = [heapPerToken(100_000), heapPerToken(1_000_000)];
  return report('verifier', {
    seconds: SECONDS,
    verifyPerSecond: verify,
    joseHs256PerSecond: joseHs256,
    joseRs256PerSecond: joseRs256,
    ratioHs256: Math.round((verify / joseHs256) * 10) / 10,
    ratioRs256: Math.round((verify / joseRs256) * 10) / 10,
    heap,
    gcExposed: globalThis.gc !== undefined,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

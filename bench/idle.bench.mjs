// Idle platform benchmark (issue 17): `npm start`'s platform — the four apps, PostgreSQL and the
// broker — with no traffic at all, CPU from /proc per process after a warm-up. Goal: ≤ 3 % of one
// core in total. Run: npm run bench -- idle (IDLE_WARMUP_SECONDS, default 60; IDLE_SECONDS,
// default 30). IDLE_REPO=<another checkout> measures that checkout's start script instead (how
// the "before" figures were taken).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuShares, cpuSnapshot } from './lib/processes.mjs';
import { report } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WARMUP = Number(process.env.IDLE_WARMUP_SECONDS ?? 60);
const SECONDS = Number(process.env.IDLE_SECONDS ?? 30);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the platform with `npm start`'s script; resolves with the app pids once all are up. */
function startPlatform(repo) {
  const child = spawn(process.execPath, ['infra/scripts/start.mjs'], {
    cwd: repo,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  return new Promise((resolve, reject) => {
    const pids = {};
    const onData = (chunk) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        tail.push(line);
        if (tail.length > 60) tail.shift();
        // the start script's table: "  <app>  <url>  <health url>  <pid>"
        const row = /^\s+([a-z-]+)\s+http:\/\/\S+\s+http:\/\/\S+\s+(\d+)\s*$/.exec(line);
        if (row) pids[row[1]] = Number(row[2]);
        if (line.includes('all apps are up')) resolve({ child, pids });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the start script exited (${code}):\n${tail.join('\n')}`)));
  });
}

export async function run() {
  const repo = process.env.IDLE_REPO ?? path.join(here, '..');
  const { child, pids } = await startPlatform(repo);
  try {
    if (Object.keys(pids).length !== 4) throw new Error(`expected four apps in the start table, got ${JSON.stringify(pids)}`);
    await sleep(WARMUP * 1000);
    const a = cpuSnapshot(pids);
    await sleep(SECONDS * 1000);
    const b = cpuSnapshot(pids);
    const shares = cpuShares(a, b); // (rounded to 1 % of a core; the figures below are exact ticks)
    const wall = (b.at - a.at) / 1000;
    const grown = (x, y) => [...y].reduce((t, [pid, v]) => t + v - (x.get(pid) ?? 0), 0);
    const seconds = {
      ...Object.fromEntries(Object.keys(pids).map((name) => [name, b.named[name] - a.named[name]])),
      postgres: grown(a.postgres, b.postgres),
      kafka: grown(a.kafka, b.kafka),
    };
    const pct = (cpu) => Math.round((cpu / wall) * 1000) / 10;
    const percentOfOneCore = Object.fromEntries(Object.entries(seconds).map(([name, cpu]) => [name, pct(cpu)]));
    percentOfOneCore.platform = pct(Object.values(seconds).reduce((t, v) => t + v, 0));
    return report('idle', {
      repo: path.relative(path.join(here, '..'), repo) || '.',
      warmupSeconds: WARMUP,
      seconds: SECONDS,
      percentOfOneCore,
      goalPercent: 3,
      met: percentOfOneCore.platform <= 3,
      otherOnMachine: Math.round(shares.other * 1000) / 10,
    });
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

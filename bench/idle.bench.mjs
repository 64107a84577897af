// Idle platform benchmark (issue 17): `npm start`'s platform — the four apps, PostgreSQL and the
// broker — with no traffic at all, CPU from /proc per process after a warm-up. Goal: ≤ 3 % of one
// core in total. Run: npm run bench -- idle (IDLE_WARMUP_SECONDS, default 60; IDLE_SECONDS,
// default 30). IDLE_REPO=<another checkout> measures that checkout's start script instead (how
// the "before" figures were taken).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform } from './lib/platform.mjs';
import { cpuShares, cpuSnapshot } from './lib/processes.mjs';
import { report } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WARMUP = Number(process.env.IDLE_WARMUP_SECONDS ?? 60);
const SECONDS = Number(process.env.IDLE_SECONDS ?? 30);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function run() {
  const repo = process.env.IDLE_REPO ?? path.join(here, '..');
  const { pids, stop } = await startPlatform(repo);
  try {
    if (Object.keys(pids).length !== 4)
      throw new Error(`expected four apps in the start table, got ${JSON.stringify(pids)}`);
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
    await stop();
  }
}

// What the benchmarks that run services as processes share: child processes, free ports, waiting
// for a condition (with the child's last output on failure), waiting for a quiet machine, and CPU
// accounting from /proc.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A node script (path from the repository root) as a child process, keeping its last 60 lines of
 * output; `first` resolves with its first stdout line parsed as JSON (helpers print their port).
 * `stop()` sends SIGTERM and, after `stopTimeoutMs`, SIGKILL; if this process dies first the child
 * is killed too.
 */
export function startChild(name, script, env, nodeArgs = [], { stopTimeoutMs = 10_000 } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = [];
  let pending = '';
  let resolveFirst;
  let rejectFirst;
  const first = new Promise((res, rej) => ((resolveFirst = res), (rejectFirst = rej)));
  const keep = (d) => {
    for (const line of String(d).split('\n')) if (line) tail.push(line);
    if (tail.length > 60) tail.splice(0, tail.length - 60);
  };
  child.stdout.on('data', (d) => {
    keep(d);
    if (resolveFirst) {
      pending += d;
      const nl = pending.indexOf('\n');
      if (nl >= 0) {
        try {
          resolveFirst(JSON.parse(pending.slice(0, nl)));
        } catch {
          resolveFirst(pending.slice(0, nl));
        }
        resolveFirst = null;
      }
    }
  });
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      rejectFirst(new Error(`${name} exited ${code ?? signal} before it was ready:\n${tail.join('\n')}`));
      resolve({ code, signal });
    }),
  );
  first.catch(() => {});
  // last resort if this process dies first: never leave a child running
  const killOnExit = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    name,
    child,
    tail,
    first,
    exited,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
}

/**
 * The machine is shared (other jobs run tests and benchmarks on the same 2 cores): waits up to
 * `maxSeconds` for a 1 s window in which the whole machine is below 0.35 cores busy (our idle
 * children and the broker included), and says how busy it was.
 */
export async function waitQuiet(maxSeconds) {
  const started = performance.now();
  for (;;) {
    const a = cpuSnapshot({});
    await sleep(1000);
    const b = cpuSnapshot({});
    const busy = Math.round(((b.busy - a.busy) / ((b.at - a.at) / 1000)) * 100) / 100;
    const waitedSeconds = Math.round((performance.now() - started) / 1000);
    if (busy < 0.35) return { quiet: true, busyCores: busy, waitedSeconds };
    if (waitedSeconds >= maxSeconds) return { quiet: false, busyCores: busy, waitedSeconds };
  }
}

/** A free TCP port on the loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Polls `fn` until it answers true; fails after `timeoutMs`, or at once if `child`
 * (`{ name, child: ChildProcess, tail: string[] }`) has exited, with its last output.
 */
export async function waitUntil(what, fn, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    if (child && child.child.exitCode !== null)
      throw new Error(
        `${child.name} exited (${child.child.exitCode}) while waiting for ${what}:\n${child.tail.join('\n')}`,
      );
    try {
      const r = await fn();
      if (r === true) return;
      last = r;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})${child ? `\n${child.tail.join('\n')}` : ''}`,
      );
    await sleep(200);
  }
}

const TICK = 100; // USER_HZ on Linux

function cpuOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK; // utime, stime
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) of the given pids by name, this process, PostgreSQL, the broker (java), and the machine. */
export function cpuSnapshot(pids) {
  // per pid, so that a process that exits between two snapshots does not count as negative CPU
  const postgres = new Map();
  const kafka = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'postgres') postgres.set(pid, cpuOf(pid));
    else if (comm === 'java') kafka.set(pid, cpuOf(pid));
  }
  const u = process.cpuUsage();
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .map(Number);
  const named = {};
  for (const [name, pid] of Object.entries(pids)) named[name] = cpuOf(pid);
  return {
    at: performance.now(),
    named,
    self: (u.user + u.system) / 1e6,
    postgres,
    kafka,
    busy: (user + nice + system + irq + softirq + steal) / TICK,
    total: (user + nice + system + idle + iowait + irq + softirq + steal) / TICK,
  };
}

/** CPU seconds spent between two per-pid snapshots by the pids alive at the second (a pid new since the first counts from 0). */
function grown(before, after) {
  let t = 0;
  for (const [pid, v] of after) t += v - (before.get(pid) ?? 0);
  return t;
}

/** Average cores busy per process between two snapshots; this process is reported as `selfName`. */
export function cpuShares(a, b, selfName = 'bench') {
  const wall = (b.at - a.at) / 1000;
  const r = (v) => Math.round((v / wall) * 100) / 100;
  const out = {};
  let known = 0;
  for (const name of Object.keys(a.named)) {
    out[name] = r(b.named[name] - a.named[name]);
    known += b.named[name] - a.named[name];
  }
  out[selfName] = r(b.self - a.self);
  const postgres = grown(a.postgres, b.postgres);
  const kafka = grown(a.kafka, b.kafka);
  out.postgres = r(postgres);
  out.kafka = r(kafka);
  known += b.self - a.self + kafka + postgres;
  out.other = r(b.busy - a.busy - known);
  out.machine = r(b.busy - a.busy);
  out.cores = os.cpus().length;
  return out;
}

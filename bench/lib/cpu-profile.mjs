// Where a process's time went, from a V8 CPU profile (`node --cpu-prof`): self time by function
// and grouped by the package that owns it (the first frame up the stack from a package: a syscall
// like writev counts for node-postgres when pg made it). With a bench result (its slices'
// `monotonicWindowUs`, the same clock as the profile's timestamps) only the samples inside the
// measured slices count, not start-up, set-up or minting between slices.
// Usage: node bench/lib/cpu-profile.mjs <file.cpuprofile> [<result.json> <side> [<grant>]] [--top N]
//   e.g. node bench/lib/cpu-profile.mjs /tmp/prof/CPU.*.cpuprofile bench/results/oauth-….json ours code
import { readFileSync } from 'node:fs';

/** Families of packages reported together. */
const FAMILIES = [
  [/^(pg|pg-protocol|pg-pool|pg-types|pg-connection-string|postgres-.*)$/, 'node-postgres'],
  [/^(fastify|@fastify\/.*|find-my-way|avvio|light-my-request|fast-.*|secure-json-parse|pino.*)$/, 'fastify'],
  [/^(@nestjs\/.*|rxjs|reflect-metadata)$/, 'nest'],
  [/^(ajv|ajv-formats|@sinclair\/typebox)$/, 'validation (ajv, typebox)'],
];
const SYSCALLS = new Set(['writev', 'writeBuffer', 'writeLatin1String', 'writeUtf8String', 'writeAsciiString']);

function ownerOf(url) {
  let m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (m) return FAMILIES.find(([re]) => re.test(m[1]))?.[1] ?? m[1];
  m = /\/(packages|apps)\/([^/]+)\/dist\//.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  return null;
}

/** Self time (µs) per function and per owner, inside `windows` ([[startUs, endUs], …]) if given. */
export function summarizeProfile(profile, windows = null) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerCache = new Map();
  const owner = (id) => {
    if (ownerCache.has(id)) return ownerCache.get(id);
    let found = null;
    for (let cur = id; cur !== undefined && found === null; cur = parent.get(cur))
      found = ownerOf(byId.get(cur).callFrame.url);
    ownerCache.set(id, found ?? 'node core (no package on the stack)');
    return ownerCache.get(id);
  };
  const functions = new Map();
  const owners = new Map();
  let t = profile.startTime;
  let total = 0;
  const add = (map, key, dt) => map.set(key, (map.get(key) ?? 0) + dt);
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (windows && !windows.some(([a, b]) => t >= a && t <= b)) continue;
    total += dt;
    const node = byId.get(profile.samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const where = url
      ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(packages|apps)\//, '$1/')}:${lineNumber + 1}`
      : '';
    add(functions, where ? `${name} ${where}` : name, dt);
    if (name.startsWith('(')) add(owners, name, dt);
    else if (SYSCALLS.has(name)) add(owners, `socket writes (${name} etc.) for ${owner(node.id)}`, dt);
    else add(owners, owner(node.id), dt);
  }
  // the sampler runs on wall-clock time: a thread descheduled inside a syscall (after a write has
  // woken PostgreSQL on a busy machine) is sampled in that syscall; "on CPU" leaves those and idle out
  let offCpu = 0;
  for (const [k, v] of owners) if (k === '(idle)' || k.startsWith('socket writes')) offCpu += v;
  const onCpu = total - offCpu;
  const sorted = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => ({ name: k, ms: Math.round(v / 1000), share: v / total, onCpuShare: v / onCpu }));
  return {
    totalMs: Math.round(total / 1000),
    onCpuMs: Math.round(onCpu / 1000),
    owners: sorted(owners),
    functions: sorted(functions),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv.splice(topAt, 2)[1]) : 25;
  const [file, resultFile, side, grant] = argv;
  let windows = null;
  if (resultFile) {
    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    const grants = grant ? [grant] : ['code', 'refresh'];
    windows = grants.flatMap((g) => result.results[side]?.[g]?.slices.map((s) => s.monotonicWindowUs) ?? []);
    if (windows.length === 0) throw new Error(`no slices of ${side} ${grants.join('/')} in ${resultFile}`);
  }
  const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), windows);
  const pct = (x) => `${(x * 100).toFixed(1).padStart(5)} %`;
  const onCpu = (x) =>
    x.name === '(idle)' || x.name.startsWith('socket writes') || SYSCALLS.has(x.name) ? '       ' : pct(x.onCpuShare);
  console.log(
    `${s.totalMs} ms sampled${windows ? ` in ${windows.length} slices` : ''}, ${s.onCpuMs} ms of them on CPU (not idle, not in a socket write)`,
  );
  console.log('\nby owner (share of all samples, of on-CPU samples):');
  for (const o of s.owners.slice(0, top)) console.log(`${pct(o.share)} ${onCpu(o)}  ${o.name}`);
  console.log('\ntop self time:');
  for (const f of s.functions.slice(0, top)) console.log(`${pct(f.share)} ${onCpu(f)}  ${f.name}`);
}

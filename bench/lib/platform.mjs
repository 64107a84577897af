// The platform as `npm start` runs it, for benchmarks that measure it whole: the start script is
// spawned in a checkout (this one, or another for "before" figures) and its table gives the pids.
import { spawn } from 'node:child_process';

/** Starts the platform with the checkout's start script; resolves once every app is up. */
export function startPlatform(repo, env = {}) {
  const child = spawn(process.execPath, ['infra/scripts/start.mjs'], {
    cwd: repo,
    env: { ...process.env, FORCE_COLOR: '0', ...env },
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
        const row = /^\s+([a-z-]+)\s+(http:\/\/\S+)\s+http:\/\/\S+\s+(\d+)\s*$/.exec(line);
        if (row) pids[row[1]] = { pid: Number(row[3]), url: row[2] };
        if (line.includes('all apps are up'))
          resolve({
            pids: Object.fromEntries(Object.entries(pids).map(([k, v]) => [k, v.pid])),
            urls: Object.fromEntries(Object.entries(pids).map(([k, v]) => [k, v.url])),
            stop: () =>
              new Promise((r) => {
                child.once('exit', r);
                child.kill('SIGINT');
              }),
          });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the start script exited (${code}):\n${tail.join('\n')}`)));
  });
}

#!/usr/bin/env node
// Installs the npm dependencies (npm ci) when node_modules is missing or older than
// package-lock.json, so `npm start` and `npm test` work straight from a fresh clone.
// Uses only Node's own modules: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const installed = path.join(repo, 'node_modules', '.package-lock.json');
const lock = path.join(repo, 'package-lock.json');

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('[deps] installing npm dependencies (npm ci)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

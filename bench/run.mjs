// npm run bench [-- name ...]: runs the named benchmarks (default: all) against real services.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.replace('.bench.mjs', ''));
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const name of wanted) {
  if (!all.includes(name)) throw new Error(`no benchmark ${name}; have: ${all.join(', ')}`);
  const mod = await import(path.join(here, `${name}.bench.mjs`));
  await mod.run();
}
process.exit(0);

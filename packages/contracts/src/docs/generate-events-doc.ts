import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asyncApiDocument } from '../schemas/asyncapi';
import { renderAsyncApiJson, renderEventsMarkdown } from './events-markdown';

/** The monorepo root: the nearest folder above `from` holding turbo.json. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'turbo.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no turbo.json above ${from}`);
    dir = parent;
  }
}

/** Generated docs, by path relative to the repo root. */
export function generatedEventDocs(): Record<string, string> {
  return {
    'docs/events.md': renderEventsMarkdown(),
    'docs/asyncapi.json': renderAsyncApiJson(asyncApiDocument()),
  };
}

/** Writes the docs (or, with check, lists the ones that are out of date without writing). */
export function generateEventDocs(root: string, options: { check?: boolean } = {}): string[] {
  const stale: string[] = [];
  for (const [relative, content] of Object.entries(generatedEventDocs())) {
    const file = path.join(root, relative);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (current === content) continue;
    stale.push(relative);
    if (!options.check) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
  return stale;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const root = findRepoRoot();
  const changed = generateEventDocs(root, { check });
  if (check && changed.length > 0) {
    process.stderr.write(`out of date (run npm run docs:events): ${changed.join(', ')}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(changed.length === 0 ? 'event docs are up to date\n' : `wrote ${changed.join(', ')}\n`);
  }
}

import { existsSync } from 'node:fs';
import path from 'node:path';

/** The monorepo's root: the nearest folder above this file that holds turbo.json. */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'turbo.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no turbo.json above ${from}`);
    dir = parent;
  }
  return dir;
}

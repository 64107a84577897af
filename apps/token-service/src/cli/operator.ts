import { hostname, userInfo } from 'node:os';

/** Keeps an operator name part printable and short (it ends up in GrantCreated.createdBy, at most 200 characters). */
function clean(part: string, max: number): string {
  const cleaned = part.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, max);
  return cleaned === '' ? 'unknown' : cleaned;
}

/**
 * Who runs the CLI, as `createdBy` / the event metadata's actor records it:
 * `operator:<os user>@<hostname>`.
 */
export function operatorActor(env: Record<string, string | undefined> = process.env): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // a uid without a passwd entry (some containers)
    user = env.USER ?? env.LOGNAME ?? (typeof process.getuid === 'function' ? `uid${process.getuid()}` : undefined);
  }
  return `operator:${clean(user ?? 'unknown', 64)}@${clean(hostname(), 100)}`;
}

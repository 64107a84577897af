/**
 * Snapshots: an aggregate's folded state at a version, so a command on a long stream loads the
 * snapshot and the events after it instead of the whole stream (an OAuth grant gains two events
 * at every code exchange and refresh, for as long as the user keeps the application).
 *
 * A snapshot is a cache of the events, never a source of truth: it is written in the transaction
 * of the append it follows (so it never shows what the events do not), read only by the command
 * runner, and ignored when its `name` differs — change the name whenever the state's shape or
 * `evolve` changes, and old snapshots are simply not used (the next command folds from the first
 * event and writes one under the new name). The state must survive a JSON round trip (plain
 * objects, arrays, strings, numbers, booleans, null) and must hold nothing the events do not.
 */
export interface SnapshotPolicy {
  /** The state's shape, e.g. `oauth-grant@1`. */
  name: string;
  /** Write a new snapshot once this many events were appended since the last one (≥ 1). */
  every: number;
}

export interface Snapshot<TState = unknown> {
  /** The stream version the state was folded up to. */
  version: number;
  state: TState;
}

export function assertSnapshotPolicy(policy: SnapshotPolicy): void {
  if (!/^[A-Za-z0-9._@:-]{1,100}$/.test(policy.name))
    throw new RangeError(
      `snapshot name must be 1–100 characters of [A-Za-z0-9._@:-], got ${JSON.stringify(policy.name)}`,
    );
  if (!Number.isInteger(policy.every) || policy.every < 1)
    throw new RangeError(`snapshot every must be an integer ≥ 1, got ${policy.every}`);
}

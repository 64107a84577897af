import type { DataSource } from 'typeorm';

/** The windows the counters live in (see LoginPolicy). */
export interface AttemptWindows {
  /** Length of the fixed counting window, starting at its first attempt. */
  windowMs: number;
  /** How long a key stays locked once it reached its maximum. */
  lockoutMs: number;
}

/** One attempt reserved on a key: what {@link LoginAttempts.release} needs to give it back. */
export interface Reservation {
  key: string;
  /** Attempts counted in the window, this one included. */
  attempts: number;
  windowStartedAt: Date;
  /** Whether this attempt was the one that reached the maximum (the key is locked from now on). */
  locked: boolean;
}

export interface ReservationOutcome {
  reserved: Reservation[];
  /** Keys that were locked (or at their maximum): nothing was counted on them. */
  refused: string[];
}

const ms = (param: string) => `${param}::double precision * interval '1 millisecond'`;

/**
 * One attempt on `$1` at `$2`, reserved in one statement before the password is verified: the
 * upsert takes the row lock, so concurrent attempts on one key are counted one after the other
 * and never more than `$3` of them get through in a window. No row comes back when the key is
 * locked or at its maximum (the `DO UPDATE … WHERE` refuses): that attempt is answered "locked".
 *
 * A window that has passed, or a lock that has ended, starts the count again at 1; the attempt
 * that reaches the maximum locks the key for lockoutMs. (Every condition is NULL-safe: a row
 * without a lock has `locked_until` NULL.)
 */
const RESERVE = `
  INSERT INTO login_attempts AS a (key, failures, window_started_at, locked_until)
  VALUES ($1, 1, $2::timestamptz, CASE WHEN 1 >= $3::int THEN $2::timestamptz + ${ms('$5')} END)
  ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN {restart} THEN 1 ELSE a.failures + 1 END,
    window_started_at = CASE WHEN {restart} THEN $2::timestamptz ELSE a.window_started_at END,
    locked_until = CASE WHEN (CASE WHEN {restart} THEN 1 ELSE a.failures + 1 END) >= $3::int
      THEN $2::timestamptz + ${ms('$5')} END
  WHERE NOT ((a.locked_until IS NOT NULL AND a.locked_until > $2::timestamptz) OR (NOT {restart} AND a.failures >= $3::int))
  RETURNING failures, window_started_at, locked_until`.replaceAll(
  '{restart}',
  `(a.window_started_at + ${ms('$4')} <= $2::timestamptz
    OR (a.locked_until IS NOT NULL AND a.locked_until <= $2::timestamptz))`,
);

/**
 * Gives reserved attempts back (a success, or an attempt refused on its other key): one count
 * less, and no lock if that leaves the key below its maximum. Only in the window the attempt was
 * counted in: a window restarted meanwhile is not touched.
 */
const RELEASE = `
  UPDATE login_attempts AS a SET
    failures = a.failures - 1,
    locked_until = CASE WHEN a.failures - 1 < r.max THEN NULL ELSE a.locked_until END
  FROM unnest($1::text[], $2::timestamptz[], $3::int[]) AS r(key, window_started_at, max)
  WHERE a.key = r.key AND a.window_started_at = r.window_started_at AND a.failures > 0`;

/**
 * A row whose window has passed and whose lock (if any) has ended counts for nothing: the next
 * attempt would start again at 1 anyway. So this is the retention: a row lives at most
 * windowMs + lockoutMs after its window started (plus the time until the next prune).
 */
const PRUNE = `
  DELETE FROM login_attempts
  WHERE window_started_at + ${ms('$2')} <= $1::timestamptz
    AND (locked_until IS NULL OR locked_until <= $1::timestamptz)`;

/**
 * The `login_attempts` counters: attempts are reserved before the password is verified and
 * given back when they did not fail, so what stays counted are failures and attempts in flight.
 */
export class LoginAttempts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly windows: AttemptWindows,
  ) {}

  /** Reserves one attempt on each key (in parallel, each atomically); see {@link RESERVE}. */
  async reserve(keys: ReadonlyArray<{ key: string; max: number }>, now: Date): Promise<ReservationOutcome> {
    const answers = await Promise.all(
      keys.map(async ({ key, max }) => {
        const rows: Array<{ failures: number; window_started_at: Date; locked_until: Date | null }> =
          await this.dataSource.query(RESERVE, [key, now, max, this.windows.windowMs, this.windows.lockoutMs]);
        const row = rows[0];
        return row === undefined
          ? { key, reservation: null }
          : {
              key,
              reservation: {
                key,
                attempts: row.failures,
                windowStartedAt: row.window_started_at,
                locked: row.locked_until !== null,
              },
            };
      }),
    );
    const reserved: Reservation[] = [];
    const refused: string[] = [];
    for (const { key, reservation } of answers) {
      if (reservation === null) refused.push(key);
      else reserved.push(reservation);
    }
    return { reserved, refused };
  }

  /** Gives reservations back (see {@link RELEASE}); `maxOf` tells each key's maximum. */
  async release(reservations: readonly Reservation[], maxOf: (key: string) => number): Promise<void> {
    if (reservations.length === 0) return;
    await this.dataSource.query(RELEASE, [
      reservations.map((r) => r.key),
      reservations.map((r) => r.windowStartedAt),
      reservations.map((r) => maxOf(r.key)),
    ]);
  }

  /** Forgets a key altogether (a successful login resets its e-mail's count). */
  async clear(key: string): Promise<void> {
    await this.dataSource.query('DELETE FROM login_attempts WHERE key = $1', [key]);
  }

  /** Deletes the rows that count for nothing any more (see {@link PRUNE}); returns how many. */
  async prune(now: Date): Promise<number> {
    const raw: unknown = await this.dataSource.query(PRUNE, [now, this.windows.windowMs]);
    // TypeORM's postgres driver answers a DELETE with [rows, rowCount].
    return Array.isArray(raw) && typeof raw[1] === 'number' ? raw[1] : 0;
  }
}

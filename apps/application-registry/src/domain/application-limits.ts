/**
 * Platform limits and defaults for an application's settings. The handler passes a {@link Limits}
 * into each command, so a deployment can tighten them (see {@link tightenLimits}) without the
 * decider reading configuration.
 */

/** Inclusive bounds and the default applied when a value is absent, all in whole seconds. */
export interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

export interface Limits {
  /** Lifetime of access tokens issued to the client. */
  readonly accessTokenTtlSeconds: Bounds;
  /** Lifetime of refresh tokens issued to the client; also never below the access token TTL. */
  readonly refreshTokenTtlSeconds: Bounds;
  /** How long the previous client secret stays valid after a rotation; 0 = rejected at once. */
  readonly secretOverlapSeconds: Bounds;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The widest limits the platform allows; a deployment may only narrow them. */
export const PLATFORM_LIMITS: Limits = Object.freeze({
  accessTokenTtlSeconds: Object.freeze({ min: MINUTE, max: DAY, default: HOUR }),
  refreshTokenTtlSeconds: Object.freeze({ min: HOUR, max: 90 * DAY, default: 14 * DAY }),
  secretOverlapSeconds: Object.freeze({ min: 0, max: 7 * DAY, default: DAY }),
});

/** Whether a value is a whole number of seconds within the bounds. */
export function withinBounds(value: unknown, bounds: Bounds): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;
}

export type LimitOverrides = { readonly [K in keyof Limits]?: Partial<Bounds> };

/**
 * The platform limits narrowed by a deployment's overrides. Throws (a configuration error, at
 * start-up) when an override would widen a platform bound, a default falls outside its own
 * bounds, or the default refresh TTL is below the default access TTL.
 */
export function tightenLimits(overrides: LimitOverrides, base: Limits = PLATFORM_LIMITS): Limits {
  const narrow = (key: keyof Limits): Bounds => {
    const platform = base[key];
    const bounds = { ...platform, ...overrides[key] };
    for (const [name, value] of Object.entries(bounds)) {
      if (!Number.isInteger(value)) throw new Error(`limits.${key}.${name} must be a whole number of seconds`);
    }
    if (bounds.min < platform.min || bounds.max > platform.max || bounds.min > bounds.max) {
      throw new Error(`limits.${key} must lie within ${platform.min}..${platform.max} with min <= max`);
    }
    if (!withinBounds(bounds.default, bounds))
      throw new Error(`limits.${key}.default must lie within ${bounds.min}..${bounds.max}`);
    return Object.freeze(bounds);
  };
  const limits: Limits = Object.freeze({
    accessTokenTtlSeconds: narrow('accessTokenTtlSeconds'),
    refreshTokenTtlSeconds: narrow('refreshTokenTtlSeconds'),
    secretOverlapSeconds: narrow('secretOverlapSeconds'),
  });
  if (limits.refreshTokenTtlSeconds.default < limits.accessTokenTtlSeconds.default) {
    throw new Error('limits.refreshTokenTtlSeconds.default must not be below limits.accessTokenTtlSeconds.default');
  }
  return limits;
}

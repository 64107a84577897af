import { PLATFORM_LIMITS, tightenLimits, withinBounds } from './application-limits';

describe('application limits', () => {
  it('has the platform defaults and bounds', () => {
    expect(PLATFORM_LIMITS).toEqual({
      accessTokenTtlSeconds: { min: 60, max: 86_400, default: 3600 },
      refreshTokenTtlSeconds: { min: 3600, max: 7_776_000, default: 1_209_600 },
      secretOverlapSeconds: { min: 0, max: 604_800, default: 86_400 },
    });
    expect(Object.isFrozen(PLATFORM_LIMITS)).toBe(true);
    expect(Object.isFrozen(PLATFORM_LIMITS.accessTokenTtlSeconds)).toBe(true);
  });

  it('withinBounds accepts whole numbers within the inclusive bounds only', () => {
    const bounds = PLATFORM_LIMITS.accessTokenTtlSeconds;
    expect([60, 3600, 86_400].map((v) => withinBounds(v, bounds))).toEqual([true, true, true]);
    expect([59, 86_401, 600.5, Number.NaN, Infinity, '3600', null].map((v) => withinBounds(v, bounds))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('lets a deployment tighten the limits', () => {
    const limits = tightenLimits({
      accessTokenTtlSeconds: { max: 900, default: 600 },
      secretOverlapSeconds: { max: 3600, default: 0 },
    });
    expect(limits.accessTokenTtlSeconds).toEqual({ min: 60, max: 900, default: 600 });
    expect(limits.refreshTokenTtlSeconds).toEqual(PLATFORM_LIMITS.refreshTokenTtlSeconds);
    expect(limits.secretOverlapSeconds).toEqual({ min: 0, max: 3600, default: 0 });
    expect(tightenLimits({})).toEqual(PLATFORM_LIMITS);
  });

  it.each([
    ['widens a maximum', { accessTokenTtlSeconds: { max: 86_401 } }],
    ['widens a minimum', { refreshTokenTtlSeconds: { min: 60 } }],
    ['puts min above max', { secretOverlapSeconds: { min: 100, max: 50, default: 60 } }],
    ['leaves the default outside the tightened bounds', { accessTokenTtlSeconds: { max: 600 } }],
    ['uses a fraction', { accessTokenTtlSeconds: { default: 600.5 } }],
    [
      'makes the refresh default shorter than the access default',
      { accessTokenTtlSeconds: { default: 86_400 }, refreshTokenTtlSeconds: { default: 7200 } },
    ],
  ])('refuses overrides that %s', (_label, overrides) => {
    expect(() => tightenLimits(overrides)).toThrow(/limits\./);
  });
});

import { readEnv, defineEnv } from '@latchkey/config';
import { MissFallback } from '@latchkey/token-verifier';
import { INTROSPECTION_ENV, RETENTION_ENV, VERIFIER_ENV, verifierOptions } from './service-env';

const SPEC = defineEnv({ ...INTROSPECTION_ENV, ...VERIFIER_ENV, ...RETENTION_ENV });

describe('the verifier settings every service reads', () => {
  it('defaults: a miss fallback at 20/s (2/s per client), a 60 s staleness limit, 30 days of processed events', () => {
    const config = readEnv(SPEC, {});
    expect(config).toMatchObject({
      INTROSPECTION_URL: 'http://127.0.0.1:3103/internal/introspect',
      MISS_FALLBACK_PER_SECOND: 20,
      MISS_FALLBACK_PER_CLIENT_PER_SECOND: 2,
      STALENESS_LIMIT_SECONDS: 60,
      PROCESSED_EVENTS_RETENTION_DAYS: 30,
    });
    const options = verifierOptions(config, { url: config.INTROSPECTION_URL, credential: 'x'.repeat(32) });
    expect(options.missFallback).toBeInstanceOf(MissFallback);
    expect(options.stalenessLimitMs).toBe(60_000);
    expect(options.fetchWaitMs).toBe(5_000);
  });

  it('MISS_FALLBACK_PER_SECOND=0 turns the fallback off; a lookup function replaces HTTP introspection', async () => {
    const off = readEnv(SPEC, {
      MISS_FALLBACK_PER_SECOND: '0',
      STALENESS_LIMIT_SECONDS: '5',
      KAFKA_FETCH_WAIT_MS: '250',
    });
    expect(verifierOptions(off, { url: off.INTROSPECTION_URL, credential: 'x'.repeat(32) })).toEqual({
      missFallback: undefined,
      stalenessLimitMs: 5_000,
      fetchWaitMs: 250,
    });
    const asked: string[] = [];
    const local = verifierOptions(readEnv(SPEC, {}), async (hash) => {
      asked.push(hash);
      return { active: false };
    });
    expect(await local.missFallback!.resolve('h1', {})).toEqual({ active: false, reason: 'unknown' });
    expect(asked).toEqual(['h1']);
  });

  it('refuses bad values, naming them', () => {
    expect(() => readEnv(SPEC, { KAFKA_FETCH_WAIT_MS: '60000' })).toThrow(/KAFKA_FETCH_WAIT_MS/);
    expect(() => readEnv(SPEC, { INTROSPECTION_URL: 'token-service:3103', STALENESS_LIMIT_SECONDS: '0' })).toThrow(
      /INTROSPECTION_URL[\s\S]*STALENESS_LIMIT_SECONDS|STALENESS_LIMIT_SECONDS[\s\S]*INTROSPECTION_URL/,
    );
  });
});

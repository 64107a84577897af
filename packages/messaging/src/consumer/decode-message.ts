import { decodeEvent, type LatchkeyEvent } from '@latchkey/contracts';

export type Decoded =
  { ok: true; event: LatchkeyEvent } | { ok: false; reason: 'unparseable' | 'schema-invalid'; errors: string[] };

/** Kafka message value → a validated event at its latest schema version. */
export function decodeMessage(value: Buffer | null): Decoded {
  if (value === null) return { ok: false, reason: 'unparseable', errors: ['message has no value (tombstone)'] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'unparseable', errors: ['value is not JSON'] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'schema-invalid', errors: ['value is not an object'] };
  }
  const result = decodeEvent(parsed); // validated as written, upcast, validated again
  return result.ok ? { ok: true, event: result.event } : { ok: false, reason: 'schema-invalid', errors: result.errors };
}

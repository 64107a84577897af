import { decodeEvent, latestSchemaVersion, type LatchkeyEvent } from '@latchkey/contracts';

export type Decoded =
  | { ok: true; event: LatchkeyEvent }
  | { ok: false; reason: 'unparseable' | 'schema-invalid'; errors: string[] }
  /**
   * A known event type at a schemaVersion newer than this code knows: not bad data, old code. It
   * must be neither skipped nor dead-lettered (a verifier that skipped a TokenRevoked it cannot
   * read would fail open); the consumer blocks its partition until a newer version of it runs.
   */
  | {
      ok: false;
      reason: 'unsupported-version';
      errors: string[];
      type: string;
      schemaVersion: number;
      eventId?: string;
    };

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
  const newer = newerThanKnown(parsed as Record<string, unknown>);
  if (newer) return newer;
  const result = decodeEvent(parsed); // validated as written, upcast, validated again
  return result.ok ? { ok: true, event: result.event } : { ok: false, reason: 'schema-invalid', errors: result.errors };
}

function newerThanKnown(value: Record<string, unknown>): Extract<Decoded, { reason: 'unsupported-version' }> | null {
  const { type, schemaVersion, id } = value;
  if (typeof type !== 'string' || typeof schemaVersion !== 'number' || !Number.isInteger(schemaVersion)) return null;
  const latest = latestSchemaVersion(type);
  if (latest === undefined || schemaVersion <= latest) return null;
  return {
    ok: false,
    reason: 'unsupported-version',
    errors: [`schemaVersion: ${type} v${schemaVersion} is newer than this consumer knows (latest v${latest})`],
    type,
    schemaVersion,
    ...(typeof id === 'string' ? { eventId: id } : {}),
  };
}

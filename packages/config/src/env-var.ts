/**
 * One environment variable: how to parse it, and what to use when it is unset.
 *
 * Two kinds of fallback:
 * - `default`: fit for every environment (e.g. LOG_LEVEL=log). The variable is optional.
 * - `localDefault`: fit only for a developer machine (loopback addresses, local databases).
 *   It is still applied when the variable is unset, so `npm start` needs no configuration,
 *   but a deployment must set the variable: see {@link requiredInDeployment}.
 * With neither, the variable is required everywhere.
 */
export interface EnvVar<T> {
  /** What a valid value looks like, e.g. "an integer from 1 to 65535"; used in error messages. */
  readonly expected: string;
  readonly description?: string;
  readonly default?: T;
  readonly localDefault?: T;
  /** The raw value is never echoed in an error message (it may hold a password). */
  readonly sensitive: boolean;
  /** Parses a trimmed, non-empty raw value; throws an Error whose message says what is wrong. */
  parse(raw: string): T;
}

export interface EnvVarOptions<T> {
  description?: string;
  default?: T;
  localDefault?: T;
  sensitive?: boolean;
}

export function envVar<T>(expected: string, parse: (raw: string) => T, options: EnvVarOptions<T> = {}): EnvVar<T> {
  if (options.default !== undefined && options.localDefault !== undefined) {
    throw new Error('an environment variable has either a default or a localDefault, not both');
  }
  return {
    expected,
    parse,
    sensitive: options.sensitive ?? false,
    ...(options.description !== undefined && { description: options.description }),
    ...(options.default !== undefined && { default: options.default }),
    ...(options.localDefault !== undefined && { localDefault: options.localDefault }),
  };
}

/** Thrown by a parser; the message completes "<NAME> must be …". */
export class InvalidValue extends Error {
  override readonly name = 'InvalidValue';
}

export function integer(options: EnvVarOptions<number> & { min?: number; max?: number } = {}): EnvVar<number> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const expected =
    options.min !== undefined && options.max !== undefined
      ? `an integer from ${min} to ${max}`
      : options.min !== undefined
        ? `an integer >= ${min}`
        : options.max !== undefined
          ? `an integer <= ${max}`
          : 'an integer';
  return envVar(
    expected,
    (raw) => {
      if (!/^[+-]?\d+$/.test(raw)) throw new InvalidValue(expected);
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidValue(expected);
      return n;
    },
    options,
  );
}

/** A TCP port, 1..65535. */
export function port(options: EnvVarOptions<number> = {}): EnvVar<number> {
  return integer({ ...options, min: 1, max: 65535 });
}

export function string(options: EnvVarOptions<string> = {}): EnvVar<string> {
  return envVar('a non-empty string', (raw) => raw, options);
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

function isHost(value: string): boolean {
  return HOSTNAME.test(value) || IPV6.test(value);
}

/** A host name or IP address to bind to or connect to (no scheme, no port). */
export function host(options: EnvVarOptions<string> = {}): EnvVar<string> {
  const expected = 'a host name or IP address without scheme or port (e.g. 127.0.0.1, 0.0.0.0, kafka)';
  return envVar(
    expected,
    (raw) => {
      if (!isHost(raw)) throw new InvalidValue(expected);
      return raw;
    },
    options,
  );
}

/** Parses "host:port" (IPv6 hosts in brackets: "[::1]:9092"). */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  const hostPart = m?.[1] ?? m?.[2];
  const portNumber = m ? Number(m[3]) : NaN;
  if (!m || hostPart === undefined || !isHost(hostPart) || portNumber < 1 || portNumber > 65535) {
    throw new InvalidValue(`host:port with a port from 1 to 65535, got "${value}"`);
  }
  return { host: hostPart, port: portNumber };
}

/** A comma-separated list of host:port pairs, e.g. KAFKA_BROKERS=kafka-1:9092,kafka-2:9092. */
export function hostPortList(options: EnvVarOptions<string[]> = {}): EnvVar<string[]> {
  const expected = 'a comma-separated list of host:port (e.g. 127.0.0.1:9092,kafka:9092)';
  return envVar(
    expected,
    (raw) => {
      const entries = raw.split(',').map((s) => s.trim());
      if (entries.some((e) => e === '')) throw new InvalidValue(`${expected}; it has an empty entry`);
      for (const entry of entries) {
        try {
          parseHostPort(entry);
        } catch (err) {
          throw new InvalidValue(`${expected}; ${(err as Error).message}`);
        }
      }
      return entries;
    },
    options,
  );
}

/** A PostgreSQL connection URL: postgres://[user[:password]@]host[:port]/database[?params]. */
export function postgresUrl(options: EnvVarOptions<string> = {}): EnvVar<string> {
  const expected =
    'a postgres:// URL with a host and a database name (postgres://user[:password]@host[:port]/database)';
  return envVar(
    expected,
    (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new InvalidValue(expected);
      }
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new InvalidValue(expected);
      if (url.hostname === '') throw new InvalidValue(`${expected}; the host is missing`);
      if (url.pathname.replace(/^\//, '') === '') throw new InvalidValue(`${expected}; the database name is missing`);
      return raw;
    },
    { sensitive: true, ...options },
  );
}

export function oneOf<const V extends readonly [string, ...string[]]>(
  values: V,
  options: EnvVarOptions<V[number]> = {},
): EnvVar<V[number]> {
  const expected = `one of ${values.join('|')}`;
  return envVar(
    expected,
    (raw) => {
      if (!(values as readonly string[]).includes(raw)) throw new InvalidValue(expected);
      return raw as V[number];
    },
    options,
  );
}

/** An absolute http(s) URL. */
export function httpUrl(options: EnvVarOptions<string> = {}): EnvVar<string> {
  const expected = 'an absolute http(s) URL';
  return envVar(
    expected,
    (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new InvalidValue(expected);
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || /\s/.test(raw)) throw new InvalidValue(expected);
      return raw;
    },
    options,
  );
}

/**
 * The credential services present to each other's internal listeners (`Authorization: Bearer …`):
 * at least 32 characters, never echoed in an error.
 */
export function serviceCredential(options: Omit<EnvVarOptions<string>, 'sensitive'> = {}): EnvVar<string> {
  const expected = 'a random string of at least 32 characters';
  return envVar(
    expected,
    (raw) => {
      if (raw.length < 32) throw new InvalidValue(expected);
      return raw;
    },
    { ...options, sensitive: true },
  );
}

/**
 * A 256-bit key (e.g. for sealing what a service keeps at rest): 64 hex characters or 43
 * base64url characters. Parsed to its 32 bytes; never echoed in an error.
 */
export function secretKey(options: Omit<EnvVarOptions<Buffer>, 'sensitive'> = {}): EnvVar<Buffer> {
  const expected = 'a 256-bit key: 64 hex characters or 43 base64url characters (e.g. `openssl rand -hex 32`)';
  return envVar(
    expected,
    (raw) => {
      const key = /^[0-9a-fA-F]{64}$/.test(raw)
        ? Buffer.from(raw, 'hex')
        : /^[A-Za-z0-9_-]{43}$/.test(raw)
          ? Buffer.from(raw, 'base64url')
          : null;
      if (!key || key.length !== 32) throw new InvalidValue(expected);
      return key;
    },
    { ...options, sensitive: true },
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID in lower case (e.g. a client id). */
export function uuid(options: EnvVarOptions<string> = {}): EnvVar<string> {
  const expected = 'a UUID in lower case (8-4-4-4-12 hex digits)';
  return envVar(
    expected,
    (raw) => {
      if (!UUID.test(raw)) throw new InvalidValue(expected);
      return raw;
    },
    options,
  );
}

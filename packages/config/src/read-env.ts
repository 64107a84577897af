import type { EnvVar } from './env-var';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the value type is inferred per entry
export type EnvSpec = Readonly<Record<string, EnvVar<any>>>;

export type EnvConfig<S extends EnvSpec> = { readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/** Every invalid or missing variable at once, each named, so one start tells all there is to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid environment configuration (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n` +
        issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n'),
    );
  }
}

/** Declares a spec; only there for type inference and readability. */
export function defineEnv<const S extends EnvSpec>(spec: S): S {
  return spec;
}

/**
 * Reads and validates every variable of `spec` from `env` (default: process.env).
 * An unset or blank variable takes its default or localDefault; without one it is reported as
 * missing. Throws a {@link ConfigError} listing every problem.
 */
export function readEnv<S extends EnvSpec>(spec: S, env: Env = process.env): EnvConfig<S> {
  const issues: ConfigIssue[] = [];
  const config: Record<string, unknown> = {};
  for (const [variable, v] of Object.entries(spec)) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') {
      const fallback = v.default ?? v.localDefault;
      if (fallback === undefined) {
        issues.push({ variable, message: `is required but not set; expected ${v.expected}` });
      } else {
        config[variable] = fallback;
      }
      continue;
    }
    try {
      config[variable] = v.parse(raw);
    } catch (err) {
      const shown = v.sensitive ? '' : ` (got ${JSON.stringify(raw)})`;
      issues.push({ variable, message: `must be ${(err as Error).message}${shown}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config as EnvConfig<S>;
}

/**
 * The variables a deployment must set: those without a `default`, i.e. required ones and
 * those whose fallback (`localDefault`) only fits a developer machine.
 */
export function requiredInDeployment(spec: EnvSpec): string[] {
  return Object.entries(spec)
    .filter(([, v]) => v.default === undefined)
    .map(([name]) => name);
}

/** True for an object all of whose values look like {@link EnvVar}s. */
export function isEnvSpec(value: unknown): value is EnvSpec {
  if (typeof value !== 'object' || value === null) return false;
  const entries = Object.values(value);
  return (
    entries.length > 0 &&
    entries.every((v) => typeof v === 'object' && v !== null && typeof (v as { parse?: unknown }).parse === 'function')
  );
}

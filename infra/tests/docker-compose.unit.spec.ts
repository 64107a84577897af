// Checks docker-compose.yml against the repository: there is no Docker engine where the tests
// run, so this is what keeps the deployment path from rotting. The variables each service needs
// come from the service's own config spec (apps/<app>/src/config/<app>.config.ts exports
// <APP>_ENV), never from a list kept here.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isEnvSpec, readEnv, requiredInDeployment, type EnvSpec } from '@latchkey/config';
import { parse } from 'yaml';

const repo = path.resolve(__dirname, '../..');

type EnvValue = string | number | boolean | null;
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<string | number | { target?: number; published?: number | string }>;
  volumes?: Array<string | { source?: string; target?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = parse(readFileSync(path.join(repo, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const services = compose.services;

const apps = readdirSync(path.join(repo, 'apps'))
  .filter((d) => statSync(path.join(repo, 'apps', d)).isDirectory())
  .sort();

/** Imports apps/<app>/src/config/<app>.config.ts and returns its <APP>_ENV export. */
async function envSpecOf(app: string): Promise<EnvSpec> {
  const file = path.join(repo, 'apps', app, 'src', 'config', `${app}.config.ts`);
  const exportName = `${app.toUpperCase().replace(/-/g, '_')}_ENV`;
  expect(existsSync(file)).toBe(true);
  const mod = (await import(file)) as Record<string, unknown>;
  const spec = mod[exportName];
  if (!isEnvSpec(spec))
    throw new Error(`${path.relative(repo, file)} must export ${exportName}, an env spec (defineEnv)`);
  return spec;
}

/** The environment a service sets, `- KEY=value` or `KEY: value`; `KEY:` without value counts as unset. */
function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  const entries: Array<[string, EnvValue]> = Array.isArray(env)
    ? env.map((line): [string, EnvValue] => {
        const i = line.indexOf('=');
        return i < 0 ? [line, null] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(env);
  return Object.fromEntries(
    entries.filter(([, v]) => v !== null).map(([k, v]) => [k, interpolate(String(v), DEPLOYMENT_ENV)]),
  );
}

/** What an operator puts in `.env` beside docker-compose.yml (see .env.example). */
const DEPLOYMENT_ENV: Record<string, string> = {
  LATCHKEY_INTERNAL_SERVICE_TOKEN: 'an-operator-chosen-random-string-of-40-chars',
  LATCHKEY_CONSOLE_SESSION_KEY: 'ab'.repeat(32),
};

/** Compose's interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}` (required). */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g,
    (_m, name: string, op: string | undefined, arg: string | undefined) => {
      const set = vars[name];
      if (set !== undefined && set !== '') return set;
      if (op === '?') throw new Error(`compose needs ${name}: ${arg}`);
      return op === '-' ? (arg ?? '') : '';
    },
  );
}

function dependencies(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? [];
  return Array.isArray(deps)
    ? Object.fromEntries(deps.map((d) => [d, undefined]))
    : Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v?.condition]));
}

function dockerfileOf(service: ComposeService): string | undefined {
  if (service.build === undefined) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return path.resolve(repo, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
}

function containerPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p === 'object') return Number(p.target);
    const spec = String(p).split('/')[0]!;
    return Number(spec.split(':').at(-1));
  });
}

function commandOf(service: ComposeService): string {
  return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

const postgresInit = readFileSync(path.join(repo, 'infra/compose/postgres-init.sql'), 'utf8');

describe('docker-compose.yml', () => {
  it('finds the apps', () => {
    expect(apps.length).toBeGreaterThanOrEqual(4);
  });

  describe.each(apps)('service %s', (app) => {
    const service = services[app];
    let spec: EnvSpec;

    beforeAll(async () => {
      spec = await envSpecOf(app);
    });

    it('exists and is built from apps/<app>/Dockerfile, which exists', () => {
      expect(service).toBeDefined();
      const dockerfile = dockerfileOf(service!);
      expect(dockerfile).toBe(path.join(repo, 'apps', app, 'Dockerfile'));
      expect(existsSync(dockerfile!)).toBe(true);
    });

    it('has a Dockerfile that builds this app and runs it as the node user', () => {
      const dockerfile = readFileSync(path.join(repo, 'apps', app, 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim/m);
      expect(dockerfile).toContain('npm ci');
      expect(dockerfile).toContain(`--filter=@latchkey/${app}...`);
      expect(dockerfile).toMatch(/^USER node$/m);
      expect(dockerfile).toContain(`CMD ["node","apps/${app}/dist/main.js"]`);
    });

    it("sets every variable the app's config requires in a deployment", () => {
      const required = requiredInDeployment(spec);
      expect(required.length).toBeGreaterThan(0);
      const env = environmentOf(service!);
      const missing = required.filter((name) => env[name] === undefined || env[name] === '');
      expect(missing).toEqual([]);
    });

    it("sets values the app's config accepts, fit for a container", () => {
      const env = environmentOf(service!);
      const config = readEnv(spec, env) as Record<string, unknown>;
      expect(config.HOST).toBe('0.0.0.0');
      if ('KAFKA_BROKERS' in spec) expect(config.KAFKA_BROKERS).toEqual(['kafka:9092']);
      if ('DATABASE_URL' in spec) expect(new URL(String(config.DATABASE_URL)).hostname).toBe('postgres');
      expect(containerPorts(service!)).toContain(config.PORT);
    });

    it('sets no variable the app does not read', () => {
      const unknown = Object.keys(environmentOf(service!)).filter((name) => !(name in spec));
      expect(unknown).toEqual([]);
    });

    it('waits for a healthy Kafka (if it uses Kafka) and has a health check', () => {
      if ('KAFKA_BROKERS' in spec) expect(dependencies(service!).kafka).toBe('service_healthy');
      else expect(environmentOf(service!).KAFKA_BROKERS).toBeUndefined();
      expect(service!.healthcheck?.test).toBeDefined();
    });

    it('if it has a database: a one-shot migrate service runs first, on a database the init script creates', () => {
      if (!('DATABASE_URL' in spec)) return;
      const databaseUrl = environmentOf(service!).DATABASE_URL!;
      const migrateName = `${app}-migrate`;
      const migrate = services[migrateName];
      expect(migrate).toBeDefined();
      expect(dockerfileOf(migrate!)).toBe(dockerfileOf(service!));
      expect(commandOf(migrate!)).toBe(`node apps/${app}/dist/migrate.js`);
      expect(environmentOf(migrate!).DATABASE_URL).toBe(databaseUrl);
      expect(dependencies(migrate!).postgres).toBe('service_healthy');
      expect(dependencies(service!)[migrateName]).toBe('service_completed_successfully');
      const database = new URL(databaseUrl).pathname.slice(1);
      expect(postgresInit).toMatch(new RegExp(`^CREATE DATABASE "?${database}"?;`, 'm'));
    });
  });

  describe('kafka', () => {
    const kafka = services.kafka!;
    const env = environmentOf(kafka);

    it('uses the official apache/kafka image', () => {
      expect(kafka.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    });

    it('runs in KRaft combined mode (no ZooKeeper)', () => {
      expect(env.KAFKA_PROCESS_ROLES?.split(',').sort()).toEqual(['broker', 'controller']);
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toMatch(new RegExp(`^${env.KAFKA_NODE_ID}@kafka:\\d+$`));
      expect(env.KAFKA_CONTROLLER_LISTENER_NAMES).toBe('CONTROLLER');
      expect(env.KAFKA_LISTENERS).toContain('CONTROLLER://');
      expect(env.KAFKA_ADVERTISED_LISTENERS).toContain('PLAINTEXT://kafka:9092');
      expect(Object.keys(env).filter((k) => k.includes('ZOOKEEPER'))).toEqual([]);
    });

    it('keeps the log forever, creates no topic by itself, 6 partitions by default', () => {
      expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
      expect(env.KAFKA_LOG_RETENTION_MS).toBe('-1');
      expect(env.KAFKA_NUM_PARTITIONS).toBe('6');
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
      expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    });

    it('tunes the broker as the local one does (infra/kafka/server.properties.template)', () => {
      const template = readFileSync(path.join(repo, 'infra/kafka/server.properties.template'), 'utf8');
      const local = Object.fromEntries(
        template
          .split('\n')
          .filter((l) => /^[a-z]/.test(l))
          .map((l) => l.split('=', 2) as [string, string]),
      );
      const tuning = [
        'group.coordinator.append.linger.ms',
        'metadata.max.idle.interval.ms',
        'group.initial.rebalance.delay.ms',
        'offsets.retention.minutes',
      ];
      for (const key of tuning) {
        expect({ key, compose: env[`KAFKA_${key.toUpperCase().replaceAll('.', '_')}`] }).toEqual({
          key,
          compose: local[key],
        });
      }
    });

    it('has a health check', () => {
      expect(kafka.healthcheck?.test).toBeDefined();
    });
  });

  describe('gateway', () => {
    it('serves /metrics on its internal listener, reachable on the compose network but never published', async () => {
      const gateway = services.gateway!;
      const config = readEnv(await envSpecOf('gateway'), environmentOf(gateway)) as Record<string, unknown>;
      expect(config.METRICS_HOST).toBe('0.0.0.0');
      expect(containerPorts(gateway)).not.toContain(config.METRICS_PORT);
      expect(config.METRICS_PORT).not.toBe(config.PORT);
    });
  });

  describe('postgres', () => {
    const postgres = services.postgres!;

    it('has a health check and mounts the init script, which exists', () => {
      expect(postgres.image).toMatch(/^postgres:\d+/);
      expect(postgres.healthcheck?.test).toBeDefined();
      expect(postgres.healthcheck?.disable).not.toBe(true);
      const mounts = (postgres.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0] : v.source));
      expect(mounts).toContain('./infra/compose/postgres-init.sql');
    });
  });
});

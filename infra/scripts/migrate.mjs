#!/usr/bin/env node
// node infra/scripts/migrate.mjs — runs the pending migrations of every app with a database.
//
// An app has a database when it has src/migrate.ts; its built entry apps/<app>/dist/migrate.js
// (npm run build) migrates the DATABASE_URL it is given and exits. Apps run one after another;
// the first failure stops the script with a non-zero exit code.
//
// Environment, per app, with PREFIX = the folder name without "-service", upper snake case
// (identity-service → IDENTITY, application-registry → APPLICATION_REGISTRY, gateway → GATEWAY):
//   <PREFIX>_DATABASE_URL, <PREFIX>_PORT, <PREFIX>_HOST  become the app's DATABASE_URL, PORT, HOST;
//   unset, the app's own local default applies (see apps/<app>/src/config/<app>.config.ts).
// A bare DATABASE_URL, PORT or HOST is not passed on: it would give every app the same one.
// Everything else (KAFKA_BROKERS, LOG_LEVEL, ...) is passed on as it is.
//
// Also a module: infra/scripts/start.mjs imports discoverApps() and appEnv() from here.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Variables that differ per app: taken from <PREFIX>_<NAME>, never inherited bare. */
export const PER_APP_VARIABLES = ['HOST', 'PORT', 'DATABASE_URL'];

/** identity-service → IDENTITY, application-registry → APPLICATION_REGISTRY. */
export function envPrefix(app) {
  return app
    .replace(/-service$/, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_');
}

/** Every folder under apps/ with a package.json, sorted, with what the scripts need to know. */
export function discoverApps() {
  const appsDir = path.join(repo, 'apps');
  return readdirSync(appsDir)
    .filter(
      (name) =>
        statSync(path.join(appsDir, name)).isDirectory() && existsSync(path.join(appsDir, name, 'package.json')),
    )
    .sort()
    .map((name) => {
      const dir = path.join(appsDir, name);
      return {
        name,
        dir,
        prefix: envPrefix(name),
        main: path.join(dir, 'dist', 'main.js'),
        migrate: path.join(dir, 'dist', 'migrate.js'),
        hasDatabase: existsSync(path.join(dir, 'src', 'migrate.ts')),
      };
    });
}

/** The environment an app runs with (see the header). */
export function appEnv(app, base = process.env) {
  const env = { ...base };
  for (const name of PER_APP_VARIABLES) {
    delete env[name];
    const value = base[`${app.prefix}_${name}`];
    if (value !== undefined && value !== '') env[name] = value;
  }
  return env;
}

function runNode(file, { cwd, env }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { cwd, env, stdio: 'inherit' });
    child.on('error', (err) => {
      console.error(err.message);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export async function migrateAll() {
  const apps = discoverApps().filter((a) => a.hasDatabase);
  for (const app of apps) {
    if (!existsSync(app.migrate)) {
      console.error(`[migrate] ${path.relative(repo, app.migrate)} is missing: run \`npm run build\` first`);
      return 1;
    }
    const env = appEnv(app);
    console.log(`[migrate] ${app.name}${env.DATABASE_URL ? ` (${app.prefix}_DATABASE_URL)` : ''}`);
    const code = await runNode(app.migrate, { cwd: app.dir, env });
    if (code !== 0) {
      console.error(`[migrate] ${app.name} failed (exit code ${code})`);
      return code;
    }
  }
  console.log(`[migrate] ${apps.length} database(s) up to date: ${apps.map((a) => a.name).join(', ')}`);
  return 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) process.exitCode = await migrateAll();

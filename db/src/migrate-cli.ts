/**
 * `npm run db:migrate`: applies the committed migrations to the database the server would use
 * (DATABASE_URL, the DB_* variables, or the embedded PostgreSQL in DATA_DIR), under the same
 * advisory lock the server takes at start-up, so it is safe to run next to starting instances.
 */
import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import { migrateDatabase, migrationsFolder } from './migrate.ts';
import { openDatabase } from './url.ts';

async function appliedCount(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    return rows[0]?.n ?? 0;
  } catch {
    return 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function main(): Promise<void> {
  const database = await openDatabase(process.env, (message) => console.log(message));
  try {
    const journal = JSON.parse(await readFile(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
      entries: unknown[];
    };
    const before = await appliedCount(database.url);
    const started = performance.now();
    await migrateDatabase(database.url);
    const after = await appliedCount(database.url);
    const ms = Math.round(performance.now() - started);
    console.log(
      after > before
        ? `Applied ${after - before} migration(s) to ${database.description} in ${ms} ms (${after}/${journal.entries.length}).`
        : `${database.description} is up to date (${after}/${journal.entries.length} migrations).`,
    );
  } finally {
    await database.close();
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    // Exit now: embedded.ts's exit handler stops an embedded cluster, if one was started.
    process.exit(1);
  });
}

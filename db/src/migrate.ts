import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { Logger, runMigrations } from 'graphile-worker';
import postgres from 'postgres';
import { TASKS } from './tasks.ts';

/** Any fixed 64-bit number unique to Laneway; every instance takes the same lock. */
const MIGRATION_LOCK_ID = 7_245_031_118;

/** graphile-worker logs its migrations at info level on every start: only problems here. */
const quietLogger = new Logger((scope) => (level, message, meta) => {
  if (level === 'error' || level === 'warning') console.error(`[graphile-worker] ${message}`, meta ?? '', scope);
});

export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

/**
 * The outbox trigger that queues webhook deliveries, created here rather than in a migration
 * so that the task it queues is named once, in the registry (`TASKS.deliverWebhook`), and
 * reaches the function as its argument (`TG_ARGV[0]`).
 *
 * Two forms. `row` is migrations 0003 and 0006's (one call per event row): put back before the
 * migrations run on an existing database whose trigger lacks the current argument, so no
 * insert ever meets a trigger without it, whatever the migrations then do. `statement` is
 * 0019's (one call per statement, over its new events): the form every start leaves behind.
 * Nothing happens when the trigger already has the form and the argument; `onlyIfPresent`
 * leaves a database without the trigger (a new one, before its migrations) alone.
 */
async function installWebhookTrigger(
  sql: postgres.Sql,
  form: 'row' | 'statement',
  { onlyIfPresent = false } = {},
): Promise<void> {
  const task = TASKS.deliverWebhook;
  // Trigger arguments are literals in the DDL, never parameters: only a plain name goes in.
  if (!/^[a-z][a-z0-9_]*$/.test(task)) throw new Error(`unexpected task name ${task}`);
  const [trigger] = await sql<{ args: boolean; statement: boolean }[]>`
    select t.tgargs = convert_to(${task}::text, 'UTF8') || '\\x00'::bytea as args,
      t.tgfoid = coalesce(to_regproc('laneway_queue_webhook_deliveries_batch'), 0) as statement
    from pg_trigger t
    where t.tgname = 'events_queue_webhooks' and t.tgrelid = to_regclass('events')`;
  if (!trigger && onlyIfPresent) return;
  // Before the migrations only the argument matters; after them, the form as well.
  if (trigger?.args && (form === 'row' || trigger.statement)) return;
  const create =
    form === 'row'
      ? `CREATE TRIGGER events_queue_webhooks
         AFTER INSERT ON events
         FOR EACH ROW
         WHEN (NEW.topic LIKE 'project:%')
         EXECUTE FUNCTION laneway_queue_webhook_deliveries('${task}')`
      : `CREATE TRIGGER events_queue_webhooks
         AFTER INSERT ON events
         REFERENCING NEW TABLE AS laneway_new_events
         FOR EACH STATEMENT
         EXECUTE FUNCTION laneway_queue_webhook_deliveries_batch('${task}')`;
  // One transaction: an insert sees the old trigger or the new one, never none.
  await sql.begin(async (tx) => {
    await tx.unsafe('DROP TRIGGER IF EXISTS events_queue_webhooks ON events');
    await tx.unsafe(create);
  });
}

/**
 * drizzle's migrator (`migrate` from drizzle-orm/postgres-js/migrator, that is
 * `PgDialect.migrate` in drizzle-orm 0.45) with the same files, table and rule: the migrations
 * newer than the last one recorded are applied in one transaction and recorded. It differs in
 * one thing: their statements go to the server as one query, where drizzle's sends each of
 * them on its own (on a new database, over 200 round trips; decision 0059).
 */
async function applyMigrations(sql: postgres.Sql): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  await sql`create schema if not exists drizzle`;
  await sql`
    create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`;
  const [last] = await sql<{ created_at: string }[]>`
    select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`;
  const pending = migrations.filter((m) => !last || Number(last.created_at) < m.folderMillis);
  if (pending.length === 0) return;
  await sql.begin(async (tx) => {
    // The simple query protocol (no parameters) runs several statements in one query. An extra
    // `;` between two statements is an empty statement, so none can run into the next.
    await tx.unsafe(pending.flatMap((m) => m.sql).join(';\n'));
    const rows = pending.map((m) => ({ hash: m.hash, created_at: m.folderMillis }));
    await tx`insert into drizzle.__drizzle_migrations ${tx(rows, 'hash', 'created_at')}`;
  });
}

/**
 * Applies graphile-worker's migrations, then the committed SQL migrations (ours may refer to
 * `graphile_worker.add_job`), then (re)creates the webhook trigger with the registry's task
 * name, once per statement (`installWebhookTrigger`). drizzle's migrator takes no lock of its own, so this holds a
 * session advisory lock on a single connection: instances starting at once queue up, the
 * first migrates, the others find nothing left to do.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await runMigrations({ connectionString: url, logger: quietLogger });
      // First on an existing database too: its trigger then carries the task name before
      // migration 0006 makes the function read it, so no insert ever meets one without it.
      await installWebhookTrigger(sql, 'row', { onlyIfPresent: true });
      await applyMigrations(sql);
      await installWebhookTrigger(sql, 'statement');
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

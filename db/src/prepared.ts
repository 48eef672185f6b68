/**
 * Hot statements as prepared statements of their connection (docs/decisions/0057): PostgreSQL
 * parses and plans them once per connection instead of once per call. drizzle prepares only
 * builders given `.prepare(name)`; `db.execute(sql…)` never is. postgres.js keeps a connection's
 * prepared statements by their text, without bound: only statements whose text takes a few
 * shapes belong here, never one with a list of values spelled into it.
 */
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Executor } from './client.ts';

const dialect = new PgDialect({ casing: 'snake_case' });

/** `db.execute(query)`, prepared: rows as objects, in the transaction when `db` is one. */
export async function executePrepared<T extends Record<string, unknown>>(db: Executor, query: SQL): Promise<T[]> {
  const prepared = db._.session.prepareQuery<{ execute: T[]; values: never; all: never }>(
    dialect.sqlToQuery(query),
    undefined,
    'hot',
    false,
  );
  return (await prepared.execute()) as T[];
}

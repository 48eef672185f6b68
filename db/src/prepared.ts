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

/** A query builder that can be prepared: drizzle's selects, inserts, updates and deletes. */
interface Preparable<R> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<R> };
}

/** Each shape's statement, built once (with placeholders for every value) and kept. */
const shapes = new Map<string, { execute(values?: Record<string, unknown>): Promise<unknown> }>();

/**
 * Runs a hot statement whose text takes a few shapes, building each shape's drizzle query once
 * (decision 0057): `build` must put every value in as `sql.placeholder(...)`, and `values` gives
 * them. Building a select with joins and subqueries costs more CPU than PostgreSQL takes to run
 * the prepared statement (bench:api's profile of moves: 18 % of the server's CPU). The kept
 * statement is run on `db`'s own connection: the pool's, or the transaction's.
 *
 * drizzle binds a prepared query to the session it was built on, and has no public way to run
 * it on another; its postgres.js prepared query reads that session's client from its `client`
 * field on every run, so a per-call object inheriting from the kept one carries `db`'s client
 * (`db/src/prepared.test.ts` runs a kept shape on the pool and in two transactions).
 */
export async function executeShape<R>(
  db: Executor,
  name: string,
  build: () => Preparable<R>,
  values: Record<string, unknown>,
): Promise<R> {
  let kept = shapes.get(name);
  if (!kept) shapes.set(name, (kept = build().prepare(name)));
  const bound = Object.create(kept) as typeof kept & { client: unknown };
  bound.client = (db._.session as unknown as { client: unknown }).client;
  return (await bound.execute(values)) as R;
}

import { eq, sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUrl, databaseUrl } from '../../test/db-url.ts';
import { createDb, type Db } from './client.ts';
import { executeShape } from './prepared.ts';

const name = `lwt_prepared_${process.pid}_${Date.now().toString(36)}`;
const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
const notes = pgTable('notes', { id: integer('id').primaryKey(), body: text('body').notNull() });
let opened: ReturnType<typeof createDb>;
let db: Db;

beforeAll(async () => {
  await admin.unsafe(`create database "${name}"`);
  opened = createDb(databaseUrl(name), { max: 2 });
  db = opened.db;
  await opened.sql`create table notes (id int primary key, body text not null)`;
  await opened.sql`insert into notes values (1, 'one'), (2, 'two')`;
});
afterAll(async () => {
  await opened.sql.end();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

type Executor = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

/** Counts the builds: a kept shape is built once, whatever runs it. */
let builds = 0;
const run = (on: Executor, id: number) =>
  executeShape(
    on,
    `test_note_${name}`,
    () => {
      builds++;
      return on
        .select({ body: notes.body, doubled: sql<number>`${notes.id} * 2`.mapWith(Number) })
        .from(notes)
        .where(eq(notes.id, sql.placeholder('id')));
    },
    { id },
  );

describe('executeShape', () => {
  it('builds a shape once and runs it on the pool and on a transaction’s own connection', async () => {
    // Built on the pool: a transaction's run must not go to the pool's connections.
    expect(await run(db, 2)).toEqual([{ body: 'two', doubled: 4 }]);
    // A transaction sees its own uncommitted row: the statement ran on its connection.
    await db
      .transaction(async (tx) => {
        await tx.insert(notes).values({ id: 3, body: 'three' });
        expect(await run(tx, 3)).toEqual([{ body: 'three', doubled: 6 }]);
        tx.rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error) || !/rollback/i.test(error.message)) throw error;
      });
    expect(await run(db, 3)).toEqual([]);
    await db.transaction(async (tx) => {
      expect(await run(tx, 1)).toEqual([{ body: 'one', doubled: 2 }]);
    });
    expect(builds).toBe(1);
  });
});

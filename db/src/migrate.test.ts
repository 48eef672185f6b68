import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl, databaseUrl } from '../../test/db-url.ts';
import { readFileSync } from 'node:fs';
import { migrateDatabase, migrationsApplied, migrationsFolder } from './migrate.ts';

const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };

const name = `lwt_migrate_${process.pid}_${Date.now().toString(36)}`;
const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
afterAll(async () => {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe('migrations', () => {
  it('three instances migrating one empty database at once all succeed, once', async () => {
    await admin.unsafe(`create database "${name}"`);
    const results = await Promise.allSettled([1, 2, 3].map(() => migrateDatabase(databaseUrl(name))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const sql = postgres(databaseUrl(name), { max: 1, onnotice: () => {} });
    try {
      expect(await migrationsApplied(sql)).toBe(true);
      const applied = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const priorities = await sql`select name from priorities order by id`;
      // Every committed migration exactly once, and graphile-worker's schema before them.
      expect(applied[0]!.n).toBe(journal.entries.length);
      const [worker] = await sql`select count(*)::int as n from graphile_worker.migrations`;
      expect(worker!.n).toBeGreaterThan(0);
      expect(priorities.map((p) => p.name)).toEqual(['Low', 'Medium', 'High', 'Urgent']);
    } finally {
      await sql.end();
    }
  });
});

import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl, databaseUrl } from '../../test/db-url.ts';
import { migrateDatabase, migrationsApplied } from './migrate.ts';

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
      expect(applied[0]!.n).toBe(2);
      expect(priorities.map((p) => p.name)).toEqual(['Low', 'Medium', 'High', 'Urgent']);
    } finally {
      await sql.end();
    }
  });
});

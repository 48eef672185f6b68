import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl, databaseUrl } from '../../test/db-url.ts';
import { migrateDatabase } from './migrate.ts';
import { seedDemo, SeedRefusedError } from './seed.ts';

const base = `lwt_seed_${process.pid}_${Date.now().toString(36)}`;
const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
const made: string[] = [];
afterAll(async () => {
  for (const db of made) await admin.unsafe(`drop database if exists "${db}" with (force)`);
  await admin.end();
});

async function freshDatabase(suffix: string): Promise<string> {
  const name = `${base}_${suffix}`;
  await admin.unsafe(`create database "${name}"`);
  made.push(name);
  await migrateDatabase(databaseUrl(name));
  return databaseUrl(name);
}

const quiet = { tickets: 12, log: () => {} };

describe('db:seed never touches what it did not create (issue 13 row 3)', () => {
  it('seeds an empty instance with its own, marked names, and leaves a seeded one alone', async () => {
    const url = await freshDatabase('empty');
    const demo = await seedDemo(url, quiet);
    expect(demo.created).toBe(true);
    expect(demo.ticketIds).toHaveLength(12);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const people = await sql<{ username: string; is_superuser: boolean }[]>`
        select username, is_superuser from users order by id`;
      expect(people.every((p) => p.username.startsWith('demo-'))).toBe(true);
      expect(people.filter((p) => p.is_superuser).map((p) => p.username)).toEqual(['demo-admin']);
      const firms = await sql<{ name: string; slug: string }[]>`select name, slug from companies order by id`;
      expect(firms).toEqual([
        { name: 'Acme (demo)', slug: 'demo-acme' },
        { name: 'Globex (demo)', slug: 'demo-globex' },
      ]);
    } finally {
      await sql.end();
    }
    const again = await seedDemo(url, quiet);
    expect(again.created).toBe(false);
    expect(again.projectId).toBe(demo.projectId);
    expect(again.users.superadmin).toBe(demo.users.superadmin);
  });

  it('refuses an instance in use, and with --force adds the demo beside it without changing it', async () => {
    const url = await freshDatabase('used');
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      // A real client called Acme, and a real admin: the old seed reused both.
      const [acme] = await sql<{ id: number }[]>`
        insert into companies (name, slug) values ('Acme', 'acme') returning id`;
      const [boss] = await sql<{ id: number }[]>`
        insert into users (username, email, name, password_hash, is_superuser)
        values ('admin', 'admin@acme.example', 'Real Admin', 'x', true) returning id`;
      const before = await sql`select * from companies order by id`;
      const usersBefore = await sql`select * from users order by id`;

      await expect(seedDemo(url, quiet)).rejects.toThrow(SeedRefusedError);
      await expect(seedDemo(url, quiet)).rejects.toThrow(/in use \(1 user, 1 company\).*--force/);
      expect((await sql`select count(*)::int as n from projects`)[0]!.n).toBe(0);

      const demo = await seedDemo(url, { ...quiet, force: true });
      expect(demo.created).toBe(true);
      // Nothing that was there changed, and none of it is linked to the demo.
      expect(await sql`select * from companies where id = ${acme!.id}`).toEqual([before[0]]);
      expect(await sql`select * from users where id = ${boss!.id}`).toEqual([usersBefore[0]]);
      const links = await sql`
        select 1 from project_companies where company_id = ${acme!.id}
        union all select 1 from company_users where company_id = ${acme!.id}
        union all select 1 from company_admins where company_id = ${acme!.id}
        union all select 1 from user_roles where user_id = ${boss!.id}`;
      expect(links).toHaveLength(0);
      expect((await sql`select count(*)::int as n from tickets where company_id = ${acme!.id}`)[0]!.n).toBe(0);
      // No superuser with a known password in an instance that was in use.
      const supers = await sql<{ id: number }[]>`select id from users where is_superuser`;
      expect(supers.map((u) => u.id)).toEqual([boss!.id]);
    } finally {
      await sql.end();
    }
  });

  it('refuses when one of its names is taken, even with --force, and writes nothing', async () => {
    const url = await freshDatabase('taken');
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into companies (name, slug) values ('Acme (demo)', 'someone-elses')`;
      await expect(seedDemo(url, { ...quiet, force: true })).rejects.toThrow(
        /names are taken \(company Acme \(demo\)\)/,
      );
      expect((await sql`select count(*)::int as n from users`)[0]!.n).toBe(0);
      expect((await sql`select count(*)::int as n from projects`)[0]!.n).toBe(0);
    } finally {
      await sql.end();
    }
  });
});

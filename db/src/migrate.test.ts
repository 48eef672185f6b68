import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl, databaseUrl } from '../../test/db-url.ts';
import { readFileSync } from 'node:fs';
import { migrateDatabase, migrationsApplied, migrationsFolder } from './migrate.ts';
import { TASKS } from './tasks.ts';

const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };

const name = `lwt_migrate_${process.pid}_${Date.now().toString(36)}`;
const webhooksName = `${name}_hooks`;
const activityName = `${name}_activity`;
const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
afterAll(async () => {
  for (const db of [name, webhooksName, activityName])
    await admin.unsafe(`drop database if exists "${db}" with (force)`);
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

  it("queues webhook jobs under the registry's task name, also after a trigger lost its argument", async () => {
    await admin.unsafe(`create database "${webhooksName}"`);
    await migrateDatabase(databaseUrl(webhooksName));
    const sql = postgres(databaseUrl(webhooksName), { max: 1, onnotice: () => {} });
    try {
      const [project] = await sql`insert into projects (name, key) values ('Hooks', 'HK') returning id`;
      await sql`insert into webhooks (project_id, url, secret) values (${project!.id}, 'https://example.com/', 'whsec_x')`;
      let seq = 0;
      /** Appends a project event, as a change would; its trigger queues one delivery job. */
      const appendEvent = () =>
        sql`insert into events (topic, seq, type, payload) values (${`project:${project!.id}`}, ${++seq}, 'ticket.created', '{}')`;
      const queued = () =>
        sql<{ task: string }[]>`select task_identifier as task from graphile_worker.jobs order by id`;

      await appendEvent();
      expect(await queued()).toEqual([{ task: TASKS.deliverWebhook }]);

      // A trigger without the argument (as migration 0003 created it) refuses the insert...
      await sql.unsafe(`create or replace trigger events_queue_webhooks after insert on events for each row
        when (new.topic like 'project:%') execute function laneway_queue_webhook_deliveries()`);
      await expect(appendEvent()).rejects.toThrow(/must be given the webhook task name/);
      // ...and the next start gives it back.
      await migrateDatabase(databaseUrl(webhooksName));
      await appendEvent();
      expect(await queued()).toEqual([{ task: TASKS.deliverWebhook }, { task: TASKS.deliverWebhook }]);
    } finally {
      await sql.end();
    }
  });

  it('0007 rewrites ticket.moved activity of PATCH moves to the one shape and leaves the rest', async () => {
    await admin.unsafe(`create database "${activityName}"`);
    await migrateDatabase(databaseUrl(activityName));
    const sql = postgres(databaseUrl(activityName), { max: 1, onnotice: () => {} });
    try {
      const [project] = await sql`insert into projects (name, key) values ('Old', 'OLD') returning id`;
      const rows = [
        { verb: 'ticket.moved', data: { changed: { column: [1, 2] } } },
        { verb: 'ticket.moved', data: { changed: { column: [2, 3], title: ['a', 'b'] } } },
        { verb: 'ticket.moved', data: { from_column: 1, to_column: 4, position: 'a0' } },
        { verb: 'ticket.updated', data: { changed: { title: ['b', 'c'] } } },
      ];
      for (const row of rows) {
        await sql`insert into activity (project_id, verb, data) values (${project!.id}, ${row.verb}, ${sql.json(row.data)})`;
      }
      const file = readFileSync(`${migrationsFolder}/0007_ticket_moved_activity_one_shape.sql`, 'utf8');
      await sql.unsafe(file);
      const after = await sql<{ data: unknown }[]>`select data from activity order by id`;
      expect(after.map((r) => r.data)).toEqual([
        { from_column: 1, to_column: 2, position: null },
        { from_column: 2, to_column: 3, position: null, changed: { title: ['a', 'b'] } },
        { from_column: 1, to_column: 4, position: 'a0' },
        { changed: { title: ['b', 'c'] } },
      ]);
    } finally {
      await sql.end();
    }
  });
});

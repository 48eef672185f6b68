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
const statementName = `${name}_statement`;
const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
afterAll(async () => {
  for (const db of [name, webhooksName, activityName, statementName])
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
      // ...and the next start gives it back, once per statement (0019).
      await migrateDatabase(databaseUrl(webhooksName));
      await appendEvent();
      expect(await queued()).toEqual([{ task: TASKS.deliverWebhook }, { task: TASKS.deliverWebhook }]);
      const [form] = await sql<{ row: boolean }[]>`
        select (tgtype & 1) = 1 as row from pg_trigger where tgname = 'events_queue_webhooks'`;
      expect(form).toEqual({ row: false });
    } finally {
      await sql.end();
    }
  });

  it('queues one delivery per event and wanting webhook of a many-row insert, in event order', async () => {
    await admin.unsafe(`create database "${statementName}"`);
    await migrateDatabase(databaseUrl(statementName));
    const sql = postgres(databaseUrl(statementName), { max: 1, onnotice: () => {} });
    try {
      const projects = await sql<{ id: number }[]>`
        insert into projects (name, key) values ('One', 'ONE'), ('Two', 'TWO'), ('Three', 'THR') returning id`;
      const [one, two, three] = projects.map((p) => p.id);
      const hooks = await sql<{ id: number }[]>`
        insert into webhooks (project_id, url, secret, events, is_active) values
          (${one!}, 'https://one.example/', 'whsec_1', '{}', true),
          (${one!}, 'https://moves.example/', 'whsec_2', '{ticket.moved}', true),
          (${two!}, 'https://off.example/', 'whsec_3', '{}', false),
          (${three!}, 'https://three.example/', 'whsec_4', '{}', true)
        returning id`;
      const [all, moves, , third] = hooks.map((h) => h.id);
      // One statement: events of three projects, a user topic (no webhooks, and a topic whose
      // tail is no number) and the request id of the change.
      await sql`
        insert into events (topic, seq, type, payload, request_id) values
          (${`project:${one!}`}, 1, 'ticket.created', '{"id":1}', 'req-a'),
          (${`project:${one!}`}, 2, 'ticket.moved', '{"id":1}', 'req-a'),
          (${`project:${two!}`}, 1, 'ticket.moved', '{"id":2}', 'req-a'),
          ('user:1', 1, 'notification.created', '{"id":3}', 'req-a'),
          (${`project:${three!}`}, 1, 'ticket.updated', '{"id":4}', null)`;
      const deliveries = await sql<{ id: number; webhook: number; type: string; data: unknown }[]>`
        select id, webhook_id as webhook, event_type as type, payload->'data' as data
        from webhook_deliveries order by id`;
      expect(deliveries.map(({ webhook, type, data }) => ({ webhook, type, data }))).toEqual([
        { webhook: all, type: 'ticket.created', data: { id: 1 } },
        { webhook: all, type: 'ticket.moved', data: { id: 1 } },
        { webhook: moves, type: 'ticket.moved', data: { id: 1 } },
        { webhook: third, type: 'ticket.updated', data: { id: 4 } },
      ]);
      const jobs = await sql<{ task: string; payload: unknown }[]>`
        select t.identifier as task, j.payload
        from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        order by j.id`;
      expect(jobs).toEqual([
        ...deliveries
          .slice(0, 3)
          .map((d) => ({ task: TASKS.deliverWebhook, payload: { delivery: d.id, request_id: 'req-a' } })),
        { task: TASKS.deliverWebhook, payload: { delivery: deliveries[3]!.id } },
      ]);
      // A rolled-back statement queues nothing.
      await sql
        .begin(async (tx) => {
          await tx`insert into events (topic, seq, type, payload) values (${`project:${one!}`}, 3, 'ticket.moved', '{}')`;
          throw new Error('roll back');
        })
        .catch(() => {});
      const [counted] = await sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries`;
      expect(counted!.n).toBe(4);
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

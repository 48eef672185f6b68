import { readdir, readFile } from 'node:fs/promises';
import { TASKS } from '@laneway/db/tasks';
import { parseCrontab } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import { buildWorld, type World } from '../../test/world.ts';
import { crontabFile, startWorker, type RunningWorker } from './worker.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp({ WORKER_MODE: 'off', TICKET_ARCHIVE_AFTER_HOURS: '24', EVENT_RETENTION_HOURS: '72' });
  w = await buildWorld(t);
});
afterAll(() => t.close());

/** Runs `fn` with a worker started on the test database, and stops it afterwards. */
async function withWorker<T>(fn: (worker: RunningWorker) => Promise<T>): Promise<T> {
  const worker = await startWorker(t.runtime.deps, { concurrency: 2, pollInterval: 100, crontab: null });
  try {
    return await fn(worker);
  } finally {
    await worker.stop();
  }
}

/** Adds a job the way a change or the crontab would, and waits until the worker has run it. */
async function runJob(task: string, payload: unknown = {}) {
  const [job] = await t.sql<[{ id: string }]>`
    select id from graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::json)`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [left] = await t.sql<[{ n: number; error: string | null }?]>`
      select count(*)::int as n, max(last_error) as error from graphile_worker.jobs where id = ${job.id}`;
    if (left?.error) throw new Error(`job failed: ${left.error}`);
    if (!left?.n) return;
    if (Date.now() > deadline) throw new Error(`job ${task} did not finish`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const doneColumn = () => w.columns.find((c) => c.category === 'done')!.id;

/** A ticket in the done column whose done_at lies `hours` in the past. */
async function doneFor(hours: number, project = w.projectId) {
  const res = await t.post('/tickets/', { project, title: `Done ${hours} h ago` }, { token: w.tokens.superadmin });
  expect(res.status).toBe(201);
  const column =
    project === w.projectId
      ? doneColumn()
      : (await t.sql<[{ id: number }]>`select id from columns where project_id = ${project} and category = 'done'`)[0]
          .id;
  expect((await t.post(`/tickets/${res.body.id}/move/`, { column }, { token: w.tokens.superadmin })).status).toBe(200);
  await t.sql`update tickets set done_at = now() - make_interval(hours => ${hours}) where id = ${res.body.id}`;
  return res.body.id as number;
}

const archivedState = async (ids: number[]) =>
  (
    await t.sql<{ id: number; is_archived: boolean }[]>`
    select id, is_archived from tickets where id = any(${ids}) order by id`
  ).map((r) => [r.id, r.is_archived]);

describe('task names', () => {
  it('gives each task one name: tasks/<identifier>.ts exports it under its TASKS key', async () => {
    const files = (await readdir(new URL('./tasks/', import.meta.url))).filter((f) => !f.endsWith('.test.ts'));
    expect(files.toSorted()).toEqual(
      Object.values(TASKS)
        .map((name) => `${name}.ts`)
        .toSorted(),
    );
    for (const [key, name] of Object.entries(TASKS)) {
      const module = (await import(`./tasks/${name}.ts`)) as Record<string, unknown>;
      expect(typeof module[key], `tasks/${name}.ts exports ${key}`).toBe('function');
    }
  });

  it('schedules only registered tasks in the crontab', async () => {
    const scheduled = parseCrontab(await readFile(crontabFile, 'utf8')).map((item) => item.task);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const task of scheduled) expect(Object.values(TASKS)).toContain(task);
  });
});

describe('archive_done_tickets', () => {
  it('archives done tickets past the bound (23 h stays, 25 h goes), in batches, and is idempotent', async () => {
    const stays = await doneFor(23);
    const goes = [await doneFor(25), await doneFor(26), await doneFor(100)];
    const [{ before }] = await t.sql<[{ before: number }]>`
      select seq::int as before from topic_seqs where topic = ${`project:${w.projectId}`}`;
    await withWorker(() => runJob('archive_done_tickets', { batch_size: 2 }));
    expect(await archivedState([stays, ...goes])).toEqual([[stays, false], ...goes.map((id) => [id, true])]);
    // Each archived ticket has its activity row and its event, numbered on from the topic's seq.
    const events = await t.sql<{ seq: number; payload: any }[]>`
      select seq::int, payload from events where topic = ${`project:${w.projectId}`} and seq > ${before} order by seq`;
    expect(events.map((e) => e.seq)).toEqual([before + 1, before + 2, before + 3]);
    expect(events.map((e) => e.payload.id).sort()).toEqual([...goes].sort());
    expect(events.every((e) => e.payload.is_archived && e.payload.archived_at)).toBe(true);
    const [{ logged }] = await t.sql<[{ logged: number }]>`
      select count(*)::int as logged from activity where verb = 'ticket.archived' and ticket_id = any(${goes})`;
    expect(logged).toBe(3);
    // Twice: nothing more happens.
    await withWorker(() => runJob('archive_done_tickets'));
    const [{ after }] = await t.sql<[{ after: number }]>`
      select seq::int as after from topic_seqs where topic = ${`project:${w.projectId}`}`;
    expect(after).toBe(before + 3);
    expect(await archivedState([stays])).toEqual([[stays, false]]);
    // The board no longer shows them.
    const board = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.admin });
    const onBoard = board.body.columns.flatMap((c: any) => c.tickets.map((tk: any) => tk.id));
    expect(onBoard).toContain(stays);
    for (const id of goes) expect(onBoard).not.toContain(id);
  });

  it('walks past a ticket being edited (SKIP LOCKED), one batch after another, and takes it on the next run', async () => {
    const [first, held, last] = [await doneFor(30), await doneFor(30), await doneFor(30)];
    await t.sql.begin(async (tx) => {
      await tx`select id from tickets where id = ${held} for update`;
      await withWorker(() => runJob('archive_done_tickets', { batch_size: 1 }));
    });
    expect(await archivedState([first, held, last])).toEqual([
      [first, true],
      [held, false],
      [last, true],
    ]);
    await withWorker(() => runJob('archive_done_tickets', { batch_size: 1 }));
    expect(await archivedState([held])).toEqual([[held, true]]);
  });

  it("follows a project's own archive_after_hours", async () => {
    const project = await t.post('/projects/', { name: 'Fast archive', key: 'FAST' }, { token: w.tokens.superadmin });
    expect(
      (await t.patch(`/projects/${project.body.id}/`, { archive_after_hours: 2 }, { token: w.tokens.superadmin }))
        .status,
    ).toBe(200);
    const fast = await doneFor(3, project.body.id);
    const recent = await doneFor(1, project.body.id);
    const elsewhere = await doneFor(3);
    await withWorker(() => runJob('archive_done_tickets'));
    expect(await archivedState([fast, recent, elsewhere])).toEqual([
      [fast, true],
      [recent, false],
      [elsewhere, false],
    ]);
  });
});

describe('cleanup', () => {
  it('removes expired sessions and tokens, old events and old delivery logs, and keeps the rest', async () => {
    const topic = `project:${w.projectId}`;
    await t.sql`insert into events (topic, seq, type, payload, created_at)
      values ('project:999999', 1, 'old', '{}', now() - interval '73 hours'),
             ('project:999999', 2, 'recent', '{}', now() - interval '71 hours')`;
    const [session] = await t.sql<[{ id: string }]>`select id from sessions limit 1`;
    await t.sql`insert into sessions (id, user_id, secret_hash, expires_at)
      select 'expired-' || md5(random()::text), user_id, secret_hash, now() - interval '1 day'
      from sessions where id = ${session.id}`;
    const [{ events_before }] = await t.sql<[{ events_before: number }]>`
      select count(*)::int as events_before from events where topic = ${topic}`;
    await withWorker(() => runJob('cleanup'));
    const left = await t.sql<{ type: string }[]>`select type from events where topic = 'project:999999'`;
    expect(left.map((r) => r.type)).toEqual(['recent']);
    const [{ expired }] = await t.sql<[{ expired: number }]>`
      select count(*)::int as expired from sessions where id like 'expired-%'`;
    expect(expired).toBe(0);
    // Live sessions and recent events stay: signed-in people stay signed in.
    expect((await t.get('/auth/me/', { token: w.tokens.admin })).status).toBe(200);
    const [{ events_after }] = await t.sql<[{ events_after: number }]>`
      select count(*)::int as events_after from events where topic = ${topic}`;
    expect(events_after).toBe(events_before);
  });
});

describe('heartbeat', () => {
  it('/ready reports the worker: 503 without one, 200 while one runs, 503 again after it stops', async () => {
    const ready = () => t.get('//ready');
    const none = await ready();
    expect(none.status).toBe(503);
    expect(none.body.checks.worker).toBe(false);
    await withWorker(async () => {
      const up = await ready();
      expect(up.status).toBe(200);
      expect(up.body.checks).toMatchObject({ postgres: true, migrations: true, worker: true });
    });
    expect((await ready()).status).toBe(503);
  });

  it('/ready?scope=instance leaves the worker out: a stopped worker does not make the app unhealthy', async () => {
    const all = await t.get('//ready');
    expect(all.status).toBe(503);
    const instance = await t.get('//ready?scope=instance');
    expect(instance.status).toBe(200);
    expect(instance.body.checks).toEqual({ postgres: true, migrations: true });
    expect((await t.get('//ready?scope=everything')).status).toBe(400);
  });

  it('releases the jobs of a worker whose heartbeat went stale, so they run again', async () => {
    // A worker that died mid-job: its heartbeat stopped an hour ago and its job is still locked.
    await t.sql`insert into worker_heartbeats (id, worker_ids, seen_at)
      values ('dead-1', '{worker-dead}', now() - interval '1 hour')`;
    const [job] = await t.sql<[{ id: string }]>`select id from graphile_worker.add_job('cleanup', '{}'::json)`;
    await t.sql`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'worker-dead' where id = ${job.id}`;
    await withWorker(async () => {
      const deadline = Date.now() + 10_000;
      while ((await t.sql`select 1 from graphile_worker.jobs where id = ${job.id}`).length) {
        if (Date.now() > deadline) throw new Error('the orphaned job never ran');
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    expect(await t.sql`select 1 from worker_heartbeats where id = 'dead-1'`).toHaveLength(0);
  });
});

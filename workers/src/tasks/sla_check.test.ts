import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { startWorker } from '../worker.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp({ WORKER_MODE: 'off' });
  w = await buildWorld(t);
});
afterAll(() => t.close());

it('sla_check breaches a clock once, however many times it runs', async () => {
  const token = { token: w.tokens.superadmin };
  const sla = await t.post(
    `/projects/${w.projectId}/sla/`,
    { first_response_minutes: 1, resolution_minutes: 60 },
    token,
  );
  expect(sla.status).toBe(201);
  const ticket = await t.post('/tickets/', { project: w.projectId, title: 'Due now', assignees: [w.ids.user] }, token);
  expect(ticket.status).toBe(201);
  const id = ticket.body.id as number;
  // Filed two minutes ago, as far as its clock is concerned.
  await t.sql`update ticket_sla set first_response_due_at = now() - interval '1 minute' where ticket_id = ${id}`;
  const payload = JSON.stringify({ ticket: id, clock: 'first_response' });
  // Its own keyed job, brought forward to now, and a stray second one (a retry, a reschedule).
  await t.sql`select graphile_worker.add_job('sla_check', ${payload}::json,
    run_at => now(), job_key => ${`sla:${id}:first_response`})`;
  await t.sql`select graphile_worker.add_job('sla_check', ${payload}::json, run_at => now())`;
  const worker = await startWorker(t.runtime.deps, { concurrency: 2, pollInterval: 100, crontab: null });
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [left] = await t.sql<[{ n: number; error: string | null }]>`
        select count(*)::int as n, max(last_error) as error from graphile_worker.jobs
        where task_identifier = 'sla_check' and run_at <= now()`;
      if (left.error) throw new Error(left.error);
      if (!left.n) break;
      if (Date.now() > deadline) throw new Error('sla_check did not run');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await worker.stop();
  }
  const events = await t.sql`
    select 1 from events where type = 'ticket.sla_breached' and (payload->>'ticket')::int = ${id}`;
  expect(events).toHaveLength(1);
  const notes = await t.sql<{ user_id: number }[]>`
    select user_id from notifications where kind = 'sla_breached' and ticket_id = ${id}`;
  expect(notes.map((n) => n.user_id)).toContain(w.ids.user);
  expect(notes.map((n) => n.user_id)).toContain(w.ids.admin);
  expect(new Set(notes.map((n) => n.user_id)).size).toBe(notes.length);
});

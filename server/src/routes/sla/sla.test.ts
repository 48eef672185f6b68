import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';
import { checkClock, sweepDueClocks } from '../../services/sla.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const as = (name: keyof World['tokens']) => ({ token: w.tokens[name] });

/** A project of its own (targets apply project-wide), run by `superadmin`, `admin` a member. */
async function newProject(key: string) {
  const res = await t.post('/projects/', { name: `SLA ${key}`, key }, as('superadmin'));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id as number;
  expect(
    (await t.post(`/projects/${id}/members/`, { user_id: w.ids.admin, role: 'admin' }, as('superadmin'))).status,
  ).toBe(201);
  expect(
    (await t.post(`/projects/${id}/members/`, { user_id: w.ids.user, role: 'user' }, as('superadmin'))).status,
  ).toBe(201);
  return id;
}

async function newTicket(project: number, extra: Record<string, unknown> = {}) {
  const res = await t.post('/tickets/', { project, title: 'Printer on fire', ...extra }, as('superadmin'));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; key: string; created_at: string; sla: Record<string, unknown> | null };
}

/** Moves a ticket's clocks into the past, as if it had been filed `minutes` earlier. */
const backdate = (ticket: number, minutes: number) => t.sql`
  update ticket_sla set first_response_due_at = first_response_due_at - make_interval(mins => ${minutes}),
    resolution_due_at = resolution_due_at - make_interval(mins => ${minutes})
  where ticket_id = ${ticket}`;

const breachEvents = async (ticket: number) =>
  (
    await t.sql<{ payload: { clock: string } }[]>`
    select payload from events where type = 'ticket.sla_breached' and (payload->>'ticket')::int = ${ticket}`
  ).map((e) => e.payload.clock);

describe('SLA settings', () => {
  it('sets business hours and targets; refuses bad ones', async () => {
    const project = await newProject('SLAA');
    const hours = {
      timezone: 'Europe/Berlin',
      days: [1, 2, 3, 4, 5],
      start: '09:00',
      end: '17:00',
      holidays: ['2026-12-25'],
    };
    const put = await t.request('PUT', `/projects/${project}/business-hours/`, {
      token: w.tokens.superadmin,
      body: hours,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual(hours);
    const target = await t.post(
      `/projects/${project}/sla/`,
      { priority_id: 3, first_response_minutes: 60, resolution_minutes: 480 },
      as('superadmin'),
    );
    expect(target.status).toBe(201);
    expect(
      (
        await t.post(
          `/projects/${project}/sla/`,
          { priority_id: 3, first_response_minutes: 5, resolution_minutes: 5 },
          as('superadmin'),
        )
      ).status,
    ).toBe(409);
    for (const bad of [
      { priority_id: 999, first_response_minutes: 5, resolution_minutes: 5 },
      { first_response_minutes: 0, resolution_minutes: 5 },
      { first_response_minutes: 5 },
    ]) {
      expect((await t.post(`/projects/${project}/sla/`, bad, as('superadmin'))).status, JSON.stringify(bad)).toBe(400);
    }
    for (const bad of [
      { ...hours, timezone: 'Mars/Olympus' },
      { ...hours, start: '17:00', end: '09:00' },
      { ...hours, days: [0] },
      { ...hours, days: [] },
      { ...hours, start: '9:00' },
      { ...hours, holidays: ['2026-02-30'] },
    ]) {
      const res = await t.request('PUT', `/projects/${project}/business-hours/`, {
        token: w.tokens.superadmin,
        body: bad,
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const read = await t.get(`/projects/${project}/sla/`, as('superadmin'));
    expect(read.body).toMatchObject({
      business_hours: hours,
      targets: [{ priority_id: 3, first_response_minutes: 60 }],
    });
    expect((await t.get(`/projects/${project}/sla/`, as('admin'))).status).toBe(403);
    expect((await t.del(`/sla/${target.body.id}/`, as('admin'))).status).toBe(403);
    expect((await t.del(`/sla/${target.body.id}/`, as('superadmin'))).status).toBe(204);
  });
});

describe('SLA clocks', () => {
  it('fixes due instants in business hours at creation; the most specific target wins; none: null', async () => {
    const project = await newProject('SLAB');
    await t.request('PUT', `/projects/${project}/business-hours/`, {
      token: w.tokens.superadmin,
      body: { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' },
    });
    expect((await newTicket(project)).sla).toBeNull();
    await t.post(
      `/projects/${project}/sla/`,
      { first_response_minutes: 60, resolution_minutes: 600 },
      as('superadmin'),
    );
    await t.post(
      `/projects/${project}/sla/`,
      { priority_id: 4, first_response_minutes: 15, resolution_minutes: 120 },
      as('superadmin'),
    );
    const any = await newTicket(project, { priority_id: 1 });
    const urgent = await newTicket(project, { priority_id: 4 });
    const after = (ticket: { created_at: string }, minutes: number) =>
      new Date(new Date(ticket.created_at).getTime() + minutes * 60_000).toISOString();
    expect(any.sla).toEqual({
      first_response_due_at: after(any, 60),
      resolution_due_at: after(any, 600),
      first_responded_at: null,
      breached: false,
    });
    expect(urgent.sla).toMatchObject({
      first_response_due_at: after(urgent, 15),
      resolution_due_at: after(urgent, 120),
    });
    // Each clock's check is queued for its due instant under its own key.
    const jobs = await t.sql<{ key: string; run_at: string }[]>`
      select key, run_at from graphile_worker.jobs where key like ${`sla:${urgent.id}:%`} order by key`;
    expect(jobs.map((j) => [j.key, new Date(j.run_at).toISOString()])).toEqual([
      [`sla:${urgent.id}:first_response`, after(urgent, 15)],
      [`sla:${urgent.id}:resolution`, after(urgent, 120)],
    ]);
  });

  it('the first staff chat message stops the first-response clock, not the resolution one', async () => {
    const project = await newProject('SLAC');
    await t.post(`/projects/${project}/sla/`, { first_response_minutes: 1, resolution_minutes: 1 }, as('superadmin'));
    const ticket = await newTicket(project);
    const room = await t.get(`/chat/rooms/?ticket=${ticket.id}`, as('superadmin'));
    expect(room.status).toBe(200);
    const roomId = room.body.results?.[0]?.id ?? room.body.id;
    expect((await t.post(`/chat/rooms/${roomId}/messages/`, { body: 'On it' }, as('user'))).status).toBe(201);
    const read = await t.get(`/tickets/${ticket.id}/`, as('admin'));
    expect(read.body.sla.first_responded_at).not.toBeNull();
    await backdate(ticket.id, 5);
    expect(await checkClock(t.runtime.deps.db, ticket.id, 'first_response')).toBe(false);
    expect(await checkClock(t.runtime.deps.db, ticket.id, 'resolution')).toBe(true);
    expect(await breachEvents(ticket.id)).toEqual(['resolution']);
  });

  it('breaches once, notifying the assignees and the admins; a done ticket does not breach', async () => {
    const project = await newProject('SLAD');
    await t.post(`/projects/${project}/sla/`, { first_response_minutes: 1, resolution_minutes: 2 }, as('superadmin'));
    const ticket = await newTicket(project, { assignees: [w.ids.user] });
    // Not yet due: nothing happens (and the check is queued again for the due instant).
    expect(await checkClock(t.runtime.deps.db, ticket.id, 'first_response')).toBe(false);
    await backdate(ticket.id, 10);
    expect(await checkClock(t.runtime.deps.db, ticket.id, 'first_response')).toBe(true);
    expect(await checkClock(t.runtime.deps.db, ticket.id, 'first_response')).toBe(false);
    expect(await breachEvents(ticket.id)).toEqual(['first_response']);
    const notified = await t.sql<{ user_id: number }[]>`
      select user_id from notifications where kind = 'sla_breached' and ticket_id = ${ticket.id} order by user_id`;
    expect(notified.map((n) => n.user_id)).toEqual([w.ids.superadmin, w.ids.admin, w.ids.user].sort((a, b) => a - b));
    expect((await t.get(`/tickets/${ticket.id}/`, as('admin'))).body.sla.breached).toBe(true);

    const done = await newTicket(project);
    const doneColumn = await t.sql<
      [{ id: number }]
    >`select id from columns where project_id = ${project} and category = 'done'`;
    expect((await t.post(`/tickets/${done.id}/move/`, { column: doneColumn[0].id }, as('superadmin'))).status).toBe(
      200,
    );
    await backdate(done.id, 10);
    expect(await checkClock(t.runtime.deps.db, done.id, 'resolution')).toBe(false);
    // Reopened after its due instant: the minute sweep queues its check, which breaches it.
    const todo = await t.sql<
      [{ id: number }]
    >`select id from columns where project_id = ${project} and category = 'todo' limit 1`;
    expect((await t.post(`/tickets/${done.id}/move/`, { column: todo[0].id }, as('superadmin'))).status).toBe(200);
    await t.sql`select graphile_worker.remove_job(${`sla:${done.id}:resolution`})`;
    await t.sql`select graphile_worker.remove_job(${`sla:${done.id}:first_response`})`;
    expect(await sweepDueClocks(t.runtime.deps.db)).toBeGreaterThanOrEqual(1);
    const queued = await t.sql`select 1 from graphile_worker.jobs where key = ${`sla:${done.id}:resolution`}`;
    expect(queued).toHaveLength(1);
    expect(await checkClock(t.runtime.deps.db, done.id, 'resolution')).toBe(true);
  });
});

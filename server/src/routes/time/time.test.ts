import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { connectWs, listenRealtime } from '../../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
let served: Awaited<ReturnType<typeof listenRealtime>>;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  served = await listenRealtime(t);
});
afterAll(async () => {
  await served.close();
  await t.close();
});

const as = (name: keyof World['tokens']) => ({ token: w.tokens[name] });

async function newTicket(extra: Record<string, unknown> = {}) {
  const res = await t.post('/tickets/', { project: w.projectId, title: 'Timed', ...extra }, as('admin'));
  expect(res.status).toBe(201);
  return res.body as { id: number; key: string };
}

async function log(ticket: number, body: Record<string, unknown>, who: keyof World['tokens'] = 'admin') {
  const res = await t.post(`/tickets/${ticket}/time/`, body, as(who));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; minutes: number; user: number; spent_on: string };
}

describe('time entries', () => {
  it('logs, lists newest day first, totals on the ticket, corrects and removes', async () => {
    const ticket = await newTicket();
    const a = await log(ticket.id, { minutes: 30, note: 'Diagnosis', spent_on: '2026-11-02' });
    expect(a).toMatchObject({ minutes: 30, user: w.ids.admin, spent_on: '2026-11-02' });
    await log(ticket.id, { minutes: 45, spent_on: '2026-11-03' }, 'user');
    const list = await t.get(`/tickets/${ticket.id}/time/`, as('manager'));
    expect(list.status).toBe(200);
    expect(list.body.results.map((e: { minutes: number }) => e.minutes)).toEqual([45, 30]);
    expect((await t.get(`/tickets/${ticket.id}/`, as('manager'))).body.time_spent).toBe(75);
    const fixed = await t.patch(`/time-entries/${a.id}/`, { minutes: 40, note: 'Diagnosis and fix' }, as('admin'));
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ minutes: 40, note: 'Diagnosis and fix' });
    expect((await t.del(`/time-entries/${a.id}/`, as('admin'))).status).toBe(204);
    expect((await t.get(`/tickets/${ticket.id}/`, as('admin'))).body.time_spent).toBe(45);
  });

  it("a user corrects only their own entries; admins correct anyone's; managers only read", async () => {
    const ticket = await newTicket();
    const admins = await log(ticket.id, { minutes: 10 });
    const users = await log(ticket.id, { minutes: 20 }, 'user');
    expect((await t.patch(`/time-entries/${admins.id}/`, { minutes: 1 }, as('user'))).status).toBe(403);
    expect((await t.del(`/time-entries/${admins.id}/`, as('user'))).status).toBe(403);
    expect((await t.patch(`/time-entries/${users.id}/`, { minutes: 25 }, as('user'))).status).toBe(200);
    expect((await t.patch(`/time-entries/${users.id}/`, { minutes: 26 }, as('admin'))).status).toBe(200);
    expect((await t.post(`/tickets/${ticket.id}/time/`, { minutes: 5 }, as('manager'))).status).toBe(403);
    expect((await t.get(`/tickets/${ticket.id}/`, as('admin'))).body.time_spent).toBe(36);
  });

  it('refuses bad input and stores nothing', async () => {
    const ticket = await newTicket();
    for (const body of [
      { minutes: 0 },
      { minutes: -5 },
      { minutes: 1.5 },
      { minutes: 24 * 60 + 1 },
      { minutes: '30' },
      { minutes: 30, spent_on: '2026-02-30' },
      { minutes: 30, spent_on: 'yesterday' },
      { minutes: 30, extra: true },
      {},
    ]) {
      const res = await t.post(`/tickets/${ticket.id}/time/`, body, as('admin'));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.get(`/tickets/${ticket.id}/time/`, as('admin'))).body.count).toBe(0);
    expect((await t.post('/tickets/999999/time/', { minutes: 5 }, as('admin'))).status).toBe(404);
  });
});

describe('timer', () => {
  it('runs one at a time per person, survives as server state, and stopping writes the entry', async () => {
    const first = await newTicket();
    const second = await newTicket();
    expect((await t.get('/timer/', as('user'))).body).toEqual({ timer: null });
    const started = await t.post(`/tickets/${first.id}/timer/start/`, undefined, as('user'));
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ ticket: first.id, key: first.key });
    // A fresh read (another tab, a reload) finds it running.
    expect((await t.get('/timer/', as('user'))).body.timer).toMatchObject({ ticket: first.id });
    // Started 25 minutes ago, as far as the clock is concerned.
    await t.sql`update timers set started_at = now() - interval '25 minutes' where user_id = ${w.ids.user}`;
    // Starting on another ticket stops the first, writing its 25 minutes there.
    expect((await t.post(`/tickets/${second.id}/timer/start/`, undefined, as('user'))).body.ticket).toBe(second.id);
    const firstEntries = (await t.get(`/tickets/${first.id}/time/`, as('user'))).body.results;
    expect(firstEntries).toMatchObject([{ minutes: 25, user: w.ids.user }]);
    // Stopping on the ticket where nothing runs does nothing.
    expect((await t.post(`/tickets/${first.id}/timer/stop/`, undefined, as('user'))).body).toEqual({ entry: null });
    const stopped = await t.post(`/tickets/${second.id}/timer/stop/`, undefined, as('user'));
    expect(stopped.status).toBe(200);
    // A timer that ran is at least a minute.
    expect(stopped.body.entry).toMatchObject({ ticket: second.id, minutes: 1, user: w.ids.user });
    expect((await t.get('/timer/', as('user'))).body).toEqual({ timer: null });
    // A second stop (a double click) writes nothing more.
    expect((await t.post(`/tickets/${second.id}/timer/stop/`, undefined, as('user'))).body).toEqual({ entry: null });
    expect((await t.get(`/tickets/${second.id}/time/`, as('user'))).body.count).toBe(1);
  });

  it('is per person: two people time the same ticket independently', async () => {
    const ticket = await newTicket();
    await t.post(`/tickets/${ticket.id}/timer/start/`, undefined, as('admin'));
    await t.post(`/tickets/${ticket.id}/timer/start/`, undefined, as('superadmin'));
    await t.post(`/tickets/${ticket.id}/timer/stop/`, undefined, as('admin'));
    expect((await t.get('/timer/', as('superadmin'))).body.timer).toMatchObject({ ticket: ticket.id });
    await t.post(`/tickets/${ticket.id}/timer/stop/`, undefined, as('superadmin'));
    const users = (await t.get(`/tickets/${ticket.id}/time/`, as('admin'))).body.results.map(
      (e: { user: number }) => e.user,
    );
    expect(users.sort()).toEqual([w.ids.admin, w.ids.superadmin].sort());
  });
});

describe('company people never see time', () => {
  it('REST: 404 on their own ticket, and no total on the ticket', async () => {
    const ticket = w.companyATicket;
    const entry = await log(ticket, { minutes: 15 });
    for (const who of ['companyUser', 'companyAdmin'] as const) {
      expect((await t.get(`/tickets/${ticket}/time/`, as(who))).status).toBe(404);
      expect((await t.post(`/tickets/${ticket}/time/`, { minutes: 5 }, as(who))).status).toBe(404);
      expect((await t.patch(`/time-entries/${entry.id}/`, { minutes: 5 }, as(who))).status).toBe(404);
      expect((await t.del(`/time-entries/${entry.id}/`, as(who))).status).toBe(404);
      expect((await t.post(`/tickets/${ticket}/timer/start/`, undefined, as(who))).status).toBe(404);
      expect((await t.post(`/tickets/${ticket}/timer/stop/`, undefined, as(who))).status).toBe(404);
      expect((await t.get(`/projects/${w.projectId}/reports/time/?month=2026-12`, as(who))).status).toBe(404);
      const seen = await t.get(`/tickets/${ticket}/`, as(who));
      expect(seen.status).toBe(200);
      expect(seen.body).not.toHaveProperty('time_spent');
      expect(JSON.stringify(seen.body)).not.toContain('time');
      // Nor in its activity.
      const activity = await t.get(`/tickets/${ticket}/activity/`, as(who));
      expect(JSON.stringify(activity.body)).not.toContain('time.');
    }
  });

  it('WS: a company user never receives time entries of their own ticket', async () => {
    const subscribe = async (token: string) => {
      const c = await connectWs(`${served.base}/ws/`, { authorization: `Bearer ${token}` });
      c.send({ type: 'subscribe', topic: `project:${w.projectId}` });
      await c.next((m) => m.type === 'subscribed');
      return c;
    };
    const client = await subscribe(w.tokens.companyUser);
    const staff = await subscribe(w.tokens.manager);
    const entry = await log(w.companyATicket, { minutes: 7, note: 'Secret rate' });
    await t.patch(`/time-entries/${entry.id}/`, { minutes: 8 }, as('admin'));
    await t.post(`/tickets/${w.companyATicket}/timer/start/`, undefined, as('admin'));
    await t.post(`/tickets/${w.companyATicket}/timer/stop/`, undefined, as('admin'));
    await t.del(`/time-entries/${entry.id}/`, as('admin'));
    // Staff hear every change with the new total.
    const created = await staff.next((m) => m.type === 'time.entry_created' && m.data.id === entry.id);
    expect(created.data).toMatchObject({ ticket: w.companyATicket, minutes: 7, note: 'Secret rate' });
    await staff.next((m) => m.type === 'time.entry_deleted' && m.data.id === entry.id);
    // Then a change the client does receive, after all of the above: their stream is in order.
    await t.post(`/tickets/${w.companyATicket}/checklist/`, { text: 'Sentinel' }, as('admin'));
    await client.next((m) => m.type === 'checklist.item_created' && m.data.text === 'Sentinel');
    expect(client.messages.filter((m) => String(m.type).startsWith('time.'))).toEqual([]);
    expect(JSON.stringify(client.messages)).not.toContain('Secret rate');
    expect(JSON.stringify(client.messages)).not.toContain('time_spent');
    client.ws.close();
    staff.ws.close();
  });
});

describe('monthly report', () => {
  it('sums by company and person within the month, for managers and up', async () => {
    const mine = await newTicket();
    await log(w.companyATicket, { minutes: 60, spent_on: '2026-10-01' });
    await log(w.companyATicket, { minutes: 30, spent_on: '2026-10-31' });
    await log(w.companyATicket, { minutes: 15, spent_on: '2026-10-31' }, 'user');
    await log(mine.id, { minutes: 20, spent_on: '2026-10-15' }, 'user');
    await log(mine.id, { minutes: 999, spent_on: '2026-11-01' });
    await log(mine.id, { minutes: 999, spent_on: '2026-09-30' });
    const res = await t.get(`/projects/${w.projectId}/reports/time/?month=2026-10`, as('manager'));
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(125);
    const rows = res.body.rows.map((r: Record<string, unknown>) => [r.company, r.user, r.minutes]);
    expect(rows).toEqual(
      expect.arrayContaining([
        [w.companyA, w.ids.admin, 90],
        [w.companyA, w.ids.user, 15],
        [null, w.ids.user, 20],
      ]),
    );
    expect(rows).toHaveLength(3);
    expect((await t.get(`/projects/${w.projectId}/reports/time/?month=2026-13`, as('manager'))).status).toBe(400);
    expect((await t.get(`/projects/${w.projectId}/reports/time/`, as('manager'))).status).toBe(400);
    expect((await t.get(`/projects/${w.projectId}/reports/time/?month=2026-10`, as('user'))).status).toBe(403);
  });
});

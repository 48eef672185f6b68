import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import type { TicketMovedActivity } from '../realtime/events.ts';
import { transact } from './publish.ts';
import { placeTicket, writeMoves } from './ticket-moves.ts';
import { readTicket } from './tickets.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const col = (name: string) => w.columns.find((c) => c.name === name)!.id;
const admin = () => ({ token: w.tokens.admin });
const superadmin = () => ({ token: w.tokens.superadmin });

/** Reported by `user`, so entering done notifies them (the actor, admin, is never told). */
async function newTicket(title: string) {
  const res = await t.post('/tickets/', { project: w.projectId, title }, { token: w.tokens.user });
  expect(res.status).toBe(201);
  return res.body as { id: number; version: number; column: number };
}

/** The ticket's `ticket.moved` activity rows and events, oldest first. */
async function movedRecords(ticketId: number) {
  const activity = await t.sql<{ data: TicketMovedActivity }[]>`
    select data from activity where ticket_id = ${ticketId} and verb = 'ticket.moved' order by id`;
  const events = await t.sql<{ payload: { id: number; column: number; status: string; done_at: string | null } }[]>`
    select payload from events where topic = ${`project:${w.projectId}`} and type = 'ticket.moved'
      and (payload->>'id')::int = ${ticketId} order by seq`;
  return { activity: activity.map((r) => r.data), events: events.map((r) => r.payload) };
}

describe('the status and done_at rule', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  const earlier = new Date('2026-12-01T10:00:00Z');
  const done = { id: 9, category: 'done' as const };
  const doing = { id: 8, category: 'in_progress' as const };

  it('sets done_at on entering done, keeps it inside done, clears it on leaving', () => {
    expect(placeTicket(null, { column: done, position: 'a0' }, now)).toEqual({
      columnId: 9,
      position: 'a0',
      status: 'done',
      doneAt: now,
    });
    expect(placeTicket(earlier, { column: done, position: 'a1' }, now).doneAt).toBe(earlier);
    expect(placeTicket(earlier, { column: doing, position: 'a2' }, now)).toMatchObject({
      status: 'in_progress',
      doneAt: null,
    });
  });
});

describe('one move path: a drag, a PATCH with column and a column deletion', () => {
  it('record the same activity shape and apply the same done_at rule', async () => {
    const dragged = await newTicket('Dragged');
    const patched = await newTicket('Patched');

    const drag = await t.post(`/tickets/${dragged.id}/move/`, { column: col('Done') }, admin());
    expect(drag.status).toBe(200);
    const patch = await t.patch(
      `/tickets/${patched.id}/`,
      { column: col('Done'), title: 'Patched and renamed', version: patched.version },
      admin(),
    );
    expect(patch.status).toBe(200);
    for (const body of [drag.body, patch.body]) {
      expect(body).toMatchObject({ column: col('Done'), status: 'done', version: 2 });
      expect(body.done_at).not.toBeNull();
    }
    expect(patch.body.title).toBe('Patched and renamed');

    const d = await movedRecords(dragged.id);
    const p = await movedRecords(patched.id);
    expect(d.activity).toEqual([{ from_column: col('To Do'), to_column: col('Done'), position: drag.body.position }]);
    expect(p.activity).toEqual([
      {
        from_column: col('To Do'),
        to_column: col('Done'),
        position: patch.body.position,
        changed: { title: ['Patched', 'Patched and renamed'] },
      },
    ]);
    // The event is the ticket as the answer shows it, for both doors.
    expect(d.events).toEqual([drag.body]);
    expect(p.events).toEqual([patch.body]);
    // Entering done told the reporter once for each door, in the move's transaction.
    const notified = await t.sql<{ ticket_id: number; user_id: number }[]>`
      select ticket_id, user_id from notifications where kind = 'done' and ticket_id in (${dragged.id}, ${patched.id})
      order by ticket_id`;
    expect(notified).toEqual([
      { ticket_id: dragged.id, user_id: w.ids.user },
      { ticket_id: patched.id, user_id: w.ids.user },
    ]);

    // Deleting a done column moves its cards out with the same shape; leaving done clears done_at.
    const column = await t.post('/columns/', { project: w.projectId, name: 'Shipped', category: 'done' }, superadmin());
    expect(column.status).toBe(201);
    for (const id of [dragged.id, patched.id]) {
      expect((await t.post(`/tickets/${id}/move/`, { column: column.body.id }, admin())).status).toBe(200);
    }
    const [before] = await t.sql<{ done_at: Date }[]>`select done_at from tickets where id = ${dragged.id}`;
    const deleted = await t.del(`/columns/${column.body.id}/?move_to=${col('In Progress')}`, superadmin());
    expect(deleted.status).toBe(204);
    const rows = await t.sql<{ id: number; status: string; done_at: Date | null; version: number }[]>`
      select id, status, done_at, version from tickets where id in (${dragged.id}, ${patched.id}) order by id`;
    expect(rows.map((r) => [r.status, r.done_at, r.version])).toEqual([
      ['in_progress', null, 4],
      ['in_progress', null, 4],
    ]);
    expect(before!.done_at).not.toBeNull();
    const after = await movedRecords(dragged.id);
    expect(after.activity.at(-1)).toEqual({
      from_column: column.body.id,
      to_column: col('In Progress'),
      position: expect.any(String),
      column_deleted: true,
    });
    expect(after.events.at(-1)).toMatchObject({ id: dragged.id, column: col('In Progress'), done_at: null });
    // Within done (Done → Shipped) done_at was kept, not restamped.
    const [kept] = await t.sql<{ moved_done: string }[]>`
      select payload->>'done_at' as moved_done from events where type = 'ticket.moved'
        and (payload->>'id')::int = ${dragged.id} and (payload->>'column')::int = ${column.body.id}`;
    expect(kept!.moved_done).toBe(drag.body.done_at);
  });

  it('a PATCH with a stale version moves nothing and records nothing', async () => {
    const ticket = await newTicket('Stale');
    const res = await t.patch(`/tickets/${ticket.id}/`, { column: col('Done'), version: ticket.version + 5 }, admin());
    expect(res.status).toBe(409);
    expect((await movedRecords(ticket.id)).activity).toEqual([]);
    const [row] = await t.sql<{ column_id: number; version: number }[]>`
      select column_id, version from tickets where id = ${ticket.id}`;
    expect(row).toEqual({ column_id: col('To Do'), version: ticket.version });
  });
});

describe('the write of a move into done: one statement with its notifications (decision 0048)', () => {
  const actor = () => ({ id: w.ids.admin, username: 'admin', isSuperuser: false });
  const done = () => ({ column: { id: col('Done'), category: 'done' as const }, position: 'zz' });
  const userTopicEvents = (userId: number, ticketIds: number[]) => t.sql<{ seq: string; ticket: number }[]>`
    select seq, (payload->>'ticket')::int as ticket from events
    where topic = ${`user:${userId}`} and type = 'notification.created'
      and (payload->>'ticket')::int = any(${ticketIds}) and payload->>'kind' = 'done' order by seq`;
  const topicSeq = async (topic: string) =>
    Number((await t.sql<{ seq: string }[]>`select seq from topic_seqs where topic = ${topic}`)[0]?.seq ?? 0);

  it('a move whose version guard fails writes nothing and tells nobody; as read now, it tells the reporter once', async () => {
    const ticket = await newTicket('Raced into done');
    const record = await readTicket(t.runtime.deps.db, ticket.id);
    // As read before someone else's write: the guard refuses it, and nothing of it is kept.
    const stale = { ...record, version: record.version - 1 };
    expect(await writeMoves(t.runtime.deps.db, actor(), [{ ticket: stale, place: done() }], { notify: true })).toBe(
      null,
    );
    const none = await t.sql`select 1 from notifications where ticket_id = ${ticket.id} and kind = 'done'`;
    expect(none.length).toBe(0);
    expect(await userTopicEvents(w.ids.user, [ticket.id])).toEqual([]);
    expect((await movedRecords(ticket.id)).activity).toEqual([]);
    // The same move as read now goes through, and the reporter is told once, on their topic.
    const before = await topicSeq(`user:${w.ids.user}`);
    const written = await writeMoves(t.runtime.deps.db, actor(), [{ ticket: record, place: done() }], { notify: true });
    expect(written?.map((m) => m.enteringDone)).toEqual([true]);
    const told = await t.sql<{ user_id: number }[]>`
      select user_id from notifications where ticket_id = ${ticket.id} and kind = 'done'`;
    expect(told.map((r) => r.user_id)).toEqual([w.ids.user]);
    expect(await userTopicEvents(w.ids.user, [ticket.id])).toEqual([{ seq: String(before + 1), ticket: ticket.id }]);
    expect((await movedRecords(ticket.id)).activity).toHaveLength(1);
  });

  it('several moves into done for one person: a notification each, consecutive seqs on their topic', async () => {
    const first = await readTicket(t.runtime.deps.db, (await newTicket('Done together 1')).id);
    const second = await readTicket(t.runtime.deps.db, (await newTicket('Done together 2')).id);
    const before = await topicSeq(`user:${w.ids.user}`);
    const place = (position: string) => ({ ...done(), position });
    await transact(t.runtime.deps.db, (tx) =>
      writeMoves(
        tx,
        actor(),
        [
          { ticket: first, place: place('zz1') },
          { ticket: second, place: place('zz2') },
        ],
        { notify: true },
      ),
    );
    expect(await userTopicEvents(w.ids.user, [first.id, second.id])).toEqual([
      { seq: String(before + 1), ticket: first.id },
      { seq: String(before + 2), ticket: second.id },
    ]);
    expect(await topicSeq(`user:${w.ids.user}`)).toBe(before + 2);
    // Without `notify` (a column's deletion moving its cards) nobody hears of it.
    const third = await readTicket(t.runtime.deps.db, (await newTicket('Done quietly')).id);
    await writeMoves(t.runtime.deps.db, actor(), [{ ticket: third, place: place('zz3') }], { notify: false });
    expect(await userTopicEvents(w.ids.user, [third.id])).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { isoTime } from '../lib/time.ts';
import { createMemoryBus } from '../realtime/bus.ts';
import type { BusMessage } from '../realtime/protocol.ts';
import { withPublisher } from './publish.ts';
import { archiveDueTickets } from './ticket-writes.ts';
import { readTicket, serializeTicket } from './tickets.ts';

let t: TestApp;
let w: World;
/** A second project, so batches hold tickets of two topics. */
let other: { id: number; done: number };
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  const project = await t.post('/projects/', { name: 'Second', key: 'SEC' }, { token: w.tokens.superadmin });
  expect(project.status).toBe(201);
  const [done] = await t.sql<[{ id: number }]>`
    select id from columns where project_id = ${project.body.id} and category = 'done'`;
  other = { id: project.body.id, done: done.id };
});
afterAll(() => t.close());

const sa = () => ({ token: w.tokens.superadmin });
const topicOf = (projectId: number) => `project:${projectId}`;
const doneColumn = () => w.columns.find((c) => c.category === 'done')!.id;

/** A done ticket with something in every field a payload carries, done `hours` ago. */
async function richDoneTicket(projectId: number, hours: number, extra: Record<string, unknown> = {}) {
  const res = await t.post(
    '/tickets/',
    {
      project: projectId,
      title: `Done ${hours} h ago, "quoted" ünïcode`,
      description: 'Line one\nline two with a \\ backslash',
      due_at: '2026-12-24T10:00:00.123Z',
      ...extra,
    },
    sa(),
  );
  expect(res.status).toBe(201);
  const id = res.body.id as number;
  const column = projectId === w.projectId ? doneColumn() : other.done;
  expect((await t.post(`/tickets/${id}/move/`, { column }, sa())).status).toBe(200);
  // Microseconds past the millisecond: the payload shows milliseconds cut, as JS does.
  await t.sql`update tickets set done_at = now() - make_interval(hours => ${hours}) - interval '0.000987 s',
    due_at = '2026-12-24 10:00:00.123999+00' where id = ${id}`;
  return id;
}

/** Every `ticket.archived` activity row of these tickets, in insertion order. */
const archivedActivity = (ids: number[]) =>
  t.sql<{ project_id: number; ticket_id: number; actor_id: number | null; verb: string; data: unknown }[]>`
    select project_id, ticket_id, actor_id, verb, data from activity
    where verb = 'ticket.archived' and ticket_id = any(${ids}) order by id`;

/** A topic's events after `seq`, in seq order, as the bus carries them. */
async function eventsAfter(topic: string, seq: number): Promise<BusMessage[]> {
  const rows = await t.sql<{ topic: string; seq: string; type: string; payload: unknown; created_at: Date }[]>`
    select topic, seq, type, payload, created_at from events where topic = ${topic} and seq > ${seq} order by seq`;
  return rows.map(
    (r) =>
      ({ type: r.type, topic: r.topic, seq: Number(r.seq), at: isoTime(r.created_at), data: r.payload }) as BusMessage,
  );
}

const topicSeqOf = async (projectId: number) =>
  Number((await t.sql<{ seq: string }[]>`select seq from topic_seqs where topic = ${topicOf(projectId)}`)[0]?.seq ?? 0);

/** Runs the job's work with a bus that keeps what it is given. */
async function archiveCapturing(batchSize: number) {
  const bus = createMemoryBus();
  const published: BusMessage[] = [];
  const listener = { onEvent: (event: BusMessage) => published.push(event) };
  for (const projectId of [w.projectId, other.id]) bus.subscribe(topicOf(projectId), listener);
  const archived = await withPublisher(bus, () =>
    archiveDueTickets(t.runtime.deps.db, { defaultHours: 24, batchSize }),
  );
  return { archived, published };
}

/** Waits until some backend of this database waits for a lock. */
async function untilWaitingForLock() {
  for (let i = 0; i < 200; i++) {
    const [row] = await t.sql<[{ n: number }]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`;
    if (row.n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('nothing waited for a lock');
}

describe('archiveDueTickets, set-wise', () => {
  it('writes what the row-by-row path wrote: activity rows, events with consecutive seqs, payloads equal to serializeTicket', async () => {
    const field = (await t.post(`/projects/${w.projectId}/fields/`, { name: 'Severity', type: 'number' }, sa())).body
      .id as number;
    // Interleaved over two projects: batches of 4 (two of each project, then one of each).
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        await richDoneTicket(w.projectId, 30 + i, {
          assignees: [w.ids.admin, w.ids.user],
          tags: [w.tagId],
          company: w.companyA,
          fields: { [field]: 3 + i },
        }),
      );
      ids.push(await richDoneTicket(other.id, 40 + i));
    }
    const [first] = ids;
    // A checklist, a blocker that is not done, and SLA clocks on the first one.
    expect((await t.post(`/tickets/${first}/checklist/`, { text: 'one', done: true }, sa())).status).toBe(201);
    expect((await t.post(`/tickets/${first}/checklist/`, { text: 'two' }, sa())).status).toBe(201);
    const blocker = (await t.post('/tickets/', { project: w.projectId, title: 'Blocker' }, sa())).body.id as number;
    expect((await t.post(`/tickets/${blocker}/relations/`, { kind: 'blocks', ticket: first }, sa())).status).toBe(201);
    await t.sql`insert into ticket_sla (ticket_id, first_response_due_at, resolution_due_at, first_response_breached_at)
      values (${first!}, now() - interval '2 days 0.000555 s', now() + interval '1 day', now() - interval '1 day')
      on conflict (ticket_id) do update set first_response_due_at = excluded.first_response_due_at,
        first_response_breached_at = excluded.first_response_breached_at`;
    const stays = await richDoneTicket(w.projectId, 23);

    const before = { [w.projectId]: await topicSeqOf(w.projectId), [other.id]: await topicSeqOf(other.id) };
    const { archived, published } = await archiveCapturing(4);
    expect(archived).toBe(ids.length);

    // The rows as they now are, read and serialised the way the row-by-row path did after its update.
    const now = new Map(
      await Promise.all(ids.map(async (id) => [id, await readTicket(t.runtime.deps.db, id)] as const)),
    );
    expect(serializeTicket(await readTicket(t.runtime.deps.db, first!))).toMatchObject({
      assignees: [w.ids.admin, w.ids.user].toSorted((a, b) => a - b),
      tags: [w.tagId],
      company: w.companyA,
      fields: { [field]: 3 },
      checklist: { done: 1, total: 2 },
      blocked: true,
      sla: { breached: true },
      due_at: '2026-12-24T10:00:00.123Z',
    });
    expect((await readTicket(t.runtime.deps.db, stays)).isArchived).toBe(false);

    for (const projectId of [w.projectId, other.id]) {
      const mine = ids.filter((id) => now.get(id)!.projectId === projectId).toSorted((a, b) => a - b);
      const events = await eventsAfter(topicOf(projectId), before[projectId]!);
      expect(events.map((e) => e.seq)).toEqual(mine.map((_, i) => before[projectId]! + 1 + i));
      expect(events.map((e) => e.type)).toEqual(mine.map(() => 'ticket.archived'));
      // Numbered in ticket id order, each payload the ticket as serializeTicket shows it now.
      expect(events.map((e) => e.data)).toEqual(mine.map((id) => serializeTicket(now.get(id)!)));
      expect(await topicSeqOf(projectId)).toBe(before[projectId]! + mine.length);
      // Published as stored, in seq order within the topic.
      expect(published.filter((e) => e.topic === topicOf(projectId))).toEqual(events);
    }
    expect(published).toHaveLength(ids.length);

    // One activity row per ticket, in ticket id order, with the row-by-row path's data.
    expect(await archivedActivity(ids)).toEqual(
      ids
        .toSorted((a, b) => a - b)
        .map((id) => ({
          project_id: now.get(id)!.projectId,
          ticket_id: id,
          actor_id: null,
          verb: 'ticket.archived',
          data: { automatic: true, done_at: now.get(id)!.doneAt!.toISOString() },
        })),
    );

    // Again: nothing more.
    const again = await archiveCapturing(2);
    expect(again).toEqual({ archived: 0, published: [] });
  });

  it('never half-archives a ticket changed meanwhile: skipped while locked, archived as changed on the next run; seqs stay gap-free', async () => {
    const edited = await richDoneTicket(w.projectId, 50);
    const leaving = await richDoneTicket(w.projectId, 50);
    const plain = await richDoneTicket(w.projectId, 50);
    const topic = topicOf(w.projectId);
    const before = await topicSeqOf(w.projectId);

    // Another writer: edits one ticket (title, assignee), takes another out of done, and holds
    // its topic's seq row with an event of its own, as a request's transaction does.
    let run: Promise<{ archived: number; published: BusMessage[] }> | undefined;
    await t.sql.begin(async (tx) => {
      await tx`update tickets set title = 'Renamed meanwhile', version = version + 1, updated_at = now() where id = ${edited}`;
      await tx`insert into ticket_assignees (ticket_id, user_id) values (${edited}, ${w.ids.manager})`;
      await tx`update tickets set status = 'in_progress', done_at = null, version = version + 1,
        column_id = (select id from columns where project_id = ${w.projectId} and category = 'in_progress' limit 1)
        where id = ${leaving}`;
      await tx`update topic_seqs set seq = seq + 1 where topic = ${topic}`;
      await tx`insert into events (topic, seq, type, payload) values (${topic}, ${before + 1}, 'ticket.updated', '{}')`;
      run = archiveCapturing(500);
      // The job locked what it could and now waits for the topic's seq row.
      await untilWaitingForLock();
    });
    const first = await run!;
    expect(first.archived).toBe(1);
    const events = await eventsAfter(topic, before);
    expect(events.map((e) => [e.seq, e.type, (e.data as { id?: number }).id])).toEqual([
      [before + 1, 'ticket.updated', undefined],
      [before + 2, 'ticket.archived', plain],
    ]);
    expect(first.published).toEqual(events.slice(1));
    // Neither the edited nor the departed ticket has an archive row, an event, or the flag.
    expect((await archivedActivity([edited, leaving, plain])).map((r) => r.ticket_id)).toEqual([plain]);
    expect((await readTicket(t.runtime.deps.db, edited)).isArchived).toBe(false);

    // Next run: the edited ticket goes, its payload the ticket as edited; the other one stays.
    const second = await archiveCapturing(500);
    expect(second.archived).toBe(1);
    const edit = serializeTicket(await readTicket(t.runtime.deps.db, edited));
    expect(edit).toMatchObject({ title: 'Renamed meanwhile', is_archived: true });
    expect(edit.assignees).toContain(w.ids.manager);
    expect((await eventsAfter(topic, before + 2)).map((e) => [e.seq, e.data])).toEqual([[before + 3, edit]]);
    expect(second.published.map((e) => e.data)).toEqual([edit]);
    expect((await readTicket(t.runtime.deps.db, leaving)).isArchived).toBe(false);
    expect(await topicSeqOf(w.projectId)).toBe(before + 3);
  });
});

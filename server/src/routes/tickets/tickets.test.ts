import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const col = (name: string) => w.columns.find((c) => c.name === name)!.id;

async function newTicket(title: string, extra: Record<string, unknown> = {}) {
  const res = await t.post('/tickets/', { project: w.projectId, title, ...extra }, { token: w.tokens.admin });
  expect(res.status).toBe(201);
  return res.body;
}

async function columnOrder(columnId: number): Promise<number[]> {
  const res = await t.get(`/tickets/?column=${columnId}&ordering=number&page_size=200`, { token: w.tokens.admin });
  const rows = res.body.results as { id: number; position: string }[];
  return rows.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0)).map((r) => r.id);
}

describe('create and read', () => {
  it('creates with a per-project number, key, reporter and the first column', async () => {
    const res = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'Printer on fire', priority_id: 3, tags: [w.tagId], assignees: [w.ids.user] },
      { token: w.tokens.admin },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      project: w.projectId,
      key: `OPS-${res.body.number}`,
      title: 'Printer on fire',
      column: col('To Do'),
      status: 'todo',
      priority_id: 3,
      reporter: w.ids.admin,
      assignees: [w.ids.user],
      tags: [w.tagId],
      version: 1,
      is_archived: false,
      done_at: null,
    });
    const got = await t.get(`/tickets/${res.body.id}`, { token: w.tokens.manager });
    expect(got.status).toBe(200);
    // The ticket as created, and the project topic's seq it was read at (its creation's event).
    // The single read adds the staff-only time total (SPEC §14), which no other payload carries.
    const { seq, time_spent, ...ticket } = got.body;
    expect(ticket).toEqual(res.body);
    expect(time_spent).toBe(0);
    const [{ latest }] = await t.sql<[{ latest: number }]>`
      select seq::int as latest from topic_seqs where topic = ${`project:${w.projectId}`}`;
    expect(seq).toBe(latest);
  });

  it('numbers tickets of one project without gaps or repeats under concurrency', async () => {
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => newTicket(`Parallel ${i}`)));
    const numbers = created.map((c) => c.number).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(10);
    expect(numbers.at(-1)! - numbers[0]!).toBe(9);
  });

  it('refuses server-owned fields in the body', async () => {
    for (const field of ['number', 'reporter', 'status', 'done_at', 'position', 'is_archived', 'version']) {
      const res = await t.post(
        '/tickets/',
        { project: w.projectId, title: 'x', [field]: 1 },
        { token: w.tokens.admin },
      );
      expect(res.status, field).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
  });

  it('refuses NUL characters in text, in bodies and in search, with a 400', async () => {
    const body = await t.post('/tickets/', { project: w.projectId, title: 'a\u0000b' }, { token: w.tokens.admin });
    expect(body.status).toBe(400);
    expect(body.body.error.code).toBe('validation_error');
    const search = await t.get('/tickets/?search=%00', { token: w.tokens.admin });
    expect(search.status).toBe(400);
  });

  it('refuses references from another project', async () => {
    const other = await t.post('/projects/', { name: 'Other', key: 'OTH' }, { token: w.tokens.admin });
    const otherCols = await t.get(`/columns/?project=${other.body.id}`, { token: w.tokens.admin });
    const res = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'x', column: otherCols.body.results[0].id },
      { token: w.tokens.admin },
    );
    expect(res.status).toBe(400);
    const notMember = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'x', assignees: [w.ids.outsider] },
      { token: w.tokens.admin },
    );
    expect(notMember.status).toBe(400);
  });

  it('lists with filters, search by key, ordering and pagination', async () => {
    const a = await newTicket('Zebra crossing broken', { priority_id: 4 });
    const byKey = await t.get(`/tickets/?project=${w.projectId}&search=OPS-${a.number}`, { token: w.tokens.admin });
    expect(byKey.body.results.map((r: any) => r.id)).toContain(a.id);
    const byText = await t.get(`/tickets/?search=zebra`, { token: w.tokens.admin });
    expect(byText.body.results.map((r: any) => r.id)).toEqual([a.id]);
    const urgent = await t.get(`/tickets/?priority_id=4&ordering=-created_at`, { token: w.tokens.admin });
    expect(urgent.body.results.every((r: any) => r.priority_id === 4)).toBe(true);
    const page = await t.get(`/tickets/?project=${w.projectId}&page_size=2`, { token: w.tokens.admin });
    expect(page.body.results).toHaveLength(2);
    expect(page.body.count).toBeGreaterThan(2);
    expect(page.body.next).toContain('page=2');
    expect(page.body.previous).toBeNull();
    const bad = await t.get(`/tickets/?ordering=password`, { token: w.tokens.admin });
    expect(bad.status).toBe(400);
    const past = await t.get(`/tickets/?page=999`, { token: w.tokens.admin });
    expect(past.status).toBe(404);
  });
});

describe('edit with versions', () => {
  it('bumps the version, and a stale version is a 409 that changes nothing', async () => {
    const tk = await newTicket('Versioned');
    const ok = await t.patch(`/tickets/${tk.id}/`, { title: 'Versioned v2', version: 1 }, { token: w.tokens.admin });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    const stale = await t.patch(`/tickets/${tk.id}/`, { title: 'Lost update', version: 1 }, { token: w.tokens.admin });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details).toEqual({ version: 2 });
    const now = await t.get(`/tickets/${tk.id}/`, { token: w.tokens.admin });
    expect(now.body.title).toBe('Versioned v2');
    expect(now.body.version).toBe(2);
  });

  it('does not move a ticket to another project or place it by PATCH', async () => {
    // Read-only fields are accepted only when unchanged (old DRF clients send them back; compat.ts).
    for (const body of [{ project: w.projectId + 1 }, { at: 'top' }, { number: 5_000 }, { status: 'done' }]) {
      const res = await t.patch(`/tickets/${w.otherTicket}/`, body, { token: w.tokens.admin });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('users edit their own tickets but not others, and may not assign', async () => {
    const own = await t.patch(`/tickets/${w.userTicket}/`, { title: 'Mine, edited' }, { token: w.tokens.user });
    expect(own.status).toBe(200);
    const other = await t.patch(`/tickets/${w.otherTicket}/`, { title: 'Not mine' }, { token: w.tokens.user });
    expect(other.status).toBe(403);
    const assign = await t.patch(`/tickets/${w.userTicket}/`, { assignees: [w.ids.admin] }, { token: w.tokens.user });
    expect(assign.status).toBe(403);
  });

  it('records activity for each change', async () => {
    const tk = await newTicket('Audited');
    await t.patch(`/tickets/${tk.id}/`, { priority_id: 4 }, { token: w.tokens.admin });
    const rows = await t.sql<{ verb: string; data: any }[]>`
      select verb, data from activity where ticket_id = ${tk.id} order by id`;
    expect(rows.map((r) => r.verb)).toEqual(['ticket.created', 'ticket.updated']);
    expect(rows[1]!.data.changed.priority_id).toEqual([2, 4]);
  });
});

describe('moves', () => {
  it('places the card between named neighbours, writing one ticket row', async () => {
    const target = col('In Progress');
    const [a, b, c] = [await newTicket('A'), await newTicket('B'), await newTicket('C')];
    for (const x of [a, b, c]) await t.post(`/tickets/${x.id}/move/`, { column: target }, { token: w.tokens.admin });
    const before = await t.sql<{ id: number; version: number }[]>`select id, version from tickets order by id`;
    const moved = await t.post(
      `/tickets/${c.id}/move/`,
      { column: target, after: a.id, before: b.id },
      { token: w.tokens.admin },
    );
    expect(moved.status).toBe(200);
    expect(await columnOrder(target)).toEqual([a.id, c.id, b.id]);
    const after = await t.sql<{ id: number; version: number }[]>`select id, version from tickets order by id`;
    const changed = after.filter((row, i) => row.version !== before[i]!.version).map((r) => r.id);
    expect(changed).toEqual([c.id]);
    const top = await t.post(`/tickets/${b.id}/move/`, { column: target, before: a.id }, { token: w.tokens.admin });
    expect(top.status).toBe(200);
    expect(await columnOrder(target)).toEqual([b.id, a.id, c.id]);
  });

  it('sets done_at on entering a done column and clears it on leaving', async () => {
    const tk = await newTicket('Finish me');
    const done = await t.post(`/tickets/${tk.id}/move/`, { column: col('Done') }, { token: w.tokens.admin });
    expect(done.body.status).toBe('done');
    expect(done.body.done_at).not.toBeNull();
    const back = await t.post(`/tickets/${tk.id}/move/`, { column: col('Review') }, { token: w.tokens.admin });
    expect(back.body.status).toBe('in_progress');
    expect(back.body.done_at).toBeNull();
  });

  it('refuses a stale version, a neighbour in another column, and itself as neighbour', async () => {
    const tk = await newTicket('Careful');
    const other = await newTicket('Elsewhere');
    const stale = await t.post(
      `/tickets/${tk.id}/move/`,
      { column: col('Review'), version: 99 },
      { token: w.tokens.admin },
    );
    expect(stale.status).toBe(409);
    const wrong = await t.post(
      `/tickets/${tk.id}/move/`,
      { column: col('Review'), after: other.id },
      { token: w.tokens.admin },
    );
    expect(wrong.status).toBe(400);
    const mixed = await t.post(
      `/tickets/${tk.id}/move/`,
      { column: other.column, after: other.id, before: 2_000_000_000 },
      { token: w.tokens.admin },
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.details).toHaveProperty('before');
    const self = await t.post(
      `/tickets/${tk.id}/move/`,
      { column: col('Review'), after: tk.id },
      { token: w.tokens.admin },
    );
    expect(self.status).toBe(400);
    const unchanged = await t.get(`/tickets/${tk.id}/`, { token: w.tokens.admin });
    expect(unchanged.body.version).toBe(1);
  });

  it('50 parallel drops into one gap all succeed, with unique keys and one order for every reader', async () => {
    const fresh = await t.post(
      '/columns/',
      { project: w.projectId, name: 'Race track' },
      { token: w.tokens.superadmin },
    );
    expect(fresh.status).toBe(201);
    const target = fresh.body.id;
    const low = await newTicket('Low fence');
    const high = await newTicket('High fence');
    await t.post(`/tickets/${low.id}/move/`, { column: target }, { token: w.tokens.admin });
    await t.post(`/tickets/${high.id}/move/`, { column: target, after: low.id }, { token: w.tokens.admin });
    const movers = await Promise.all(Array.from({ length: 50 }, (_, i) => newTicket(`Racer ${i}`)));
    const results = await Promise.all(
      movers.map((m) =>
        t.post(`/tickets/${m.id}/move/`, { column: target, after: low.id, before: high.id }, { token: w.tokens.admin }),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const rows = await t.sql<{ position: string }[]>`select position from tickets where column_id = ${target}`;
    expect(new Set(rows.map((r) => r.position)).size).toBe(52);
    // Each answer's key is the stored one, and the list (sorted by key) and the board agree.
    const order = await columnOrder(target);
    expect(order[0]).toBe(low.id);
    expect(order.at(-1)).toBe(high.id);
    expect([...order.slice(1, -1)].sort()).toEqual(movers.map((m) => m.id).sort());
    const board = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.manager });
    const onBoard = board.body.columns.find((c: any) => c.id === target).tickets.map((x: any) => x.id);
    expect(onBoard).toEqual(order);
    const keys = new Map(results.map((r) => [r.body.id, r.body.position]));
    const stored = await t.sql<{ id: number; position: string }[]>`
      select id, position from tickets where id = any(${movers.map((m) => m.id)})`;
    expect(stored.every((r) => keys.get(r.id) === r.position)).toBe(true);
  });
});

describe('archive and delete', () => {
  it('archives with the old status body, hides from the board, and unarchives', async () => {
    const tk = await newTicket('Old news');
    const res = await t.post(`/tickets/${tk.id}/archive/`, undefined, { token: w.tokens.admin });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('archived');
    const board = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.admin });
    const ids = board.body.columns.flatMap((c: any) => c.tickets.map((x: any) => x.id));
    expect(ids).not.toContain(tk.id);
    const archived = await t.get(`/tickets/?is_archived=true`, { token: w.tokens.admin });
    expect(archived.body.results.map((r: any) => r.id)).toContain(tk.id);
    const un = await t.post(`/tickets/${tk.id}/unarchive/`, undefined, { token: w.tokens.admin });
    expect(un.body.ticket.is_archived).toBe(false);
    const byUser = await t.post(`/tickets/${w.userTicket}/archive/`, undefined, { token: w.tokens.user });
    expect(byUser.status).toBe(403);
  });

  it('only superadmins delete', async () => {
    const tk = await newTicket('Delete me');
    expect((await t.del(`/tickets/${tk.id}/`, { token: w.tokens.admin })).status).toBe(403);
    expect((await t.del(`/tickets/${tk.id}/`, { token: w.tokens.superadmin })).status).toBe(204);
    expect((await t.get(`/tickets/${tk.id}/`, { token: w.tokens.superadmin })).status).toBe(404);
  });
});

describe('company scoping', () => {
  it('company people see only their company tickets, everywhere', async () => {
    const list = await t.get('/tickets/', { token: w.tokens.companyUser });
    const ids = list.body.results.map((r: any) => r.id);
    expect(ids).toContain(w.companyATicket);
    expect(ids).not.toContain(w.companyBTicket);
    expect(ids).not.toContain(w.userTicket);
    expect((await t.get(`/tickets/${w.companyBTicket}/`, { token: w.tokens.companyUser })).status).toBe(404);
    const board = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.companyAdmin });
    const boardIds = board.body.columns.flatMap((c: any) => c.tickets.map((x: any) => x.id));
    expect(boardIds).toContain(w.companyATicket);
    expect(boardIds).not.toContain(w.companyBTicket);
    const search = await t.get('/tickets/?search=Globex', { token: w.tokens.companyUser });
    expect(search.body.count).toBe(0);
  });

  it('company people create only for their own company and cannot edit', async () => {
    const own = await t.post('/tickets/', { project: w.projectId, title: 'Help' }, { token: w.tokens.companyUser });
    expect(own.status).toBe(201);
    expect(own.body.company).toBe(w.companyA);
    const other = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'Spoof', company: w.companyB },
      { token: w.tokens.companyUser },
    );
    expect(other.status).toBe(403);
    const edit = await t.patch(`/tickets/${own.body.id}/`, { title: 'x' }, { token: w.tokens.companyUser });
    expect(edit.status).toBe(403);
  });
});

describe('refusals say why (issue 13 row 5)', () => {
  it('a plain user moving or editing someone else’s ticket is told who may', async () => {
    const tk = await newTicket('Not theirs');
    const move = await t.post(`/tickets/${tk.id}/move/`, { column: col('Done') }, { token: w.tokens.user });
    expect(move.status).toBe(403);
    expect(move.body.error.message).toBe(`Only the reporter, assignees and admins can move ${tk.key}`);
    const edit = await t.patch(`/tickets/${tk.id}/`, { title: 'x' }, { token: w.tokens.user });
    expect(edit.status).toBe(403);
    expect(edit.body.error.message).toBe(`Only the reporter, assignees and admins can edit ${tk.key}`);
    // A manager reads only: the same words.
    const byManager = await t.post(`/tickets/${tk.id}/move/`, { column: col('Done') }, { token: w.tokens.manager });
    expect(byManager.status).toBe(403);
    expect(byManager.body.error.message).toBe(`Only the reporter, assignees and admins can move ${tk.key}`);
  });
});

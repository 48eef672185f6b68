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

describe('projects', () => {
  it('creates with default columns and the creator as superadmin', async () => {
    const res = await t.post(
      '/projects/',
      { name: 'Support', key: 'sup', description: 'Desk' },
      { token: w.tokens.user },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Support', key: 'SUP', role: 'superadmin', created_by: w.ids.user });
    const cols = await t.get(`/columns/?project=${res.body.id}`, { token: w.tokens.user });
    expect(cols.body.results.map((c: any) => [c.name, c.category])).toEqual([
      ['To Do', 'todo'],
      ['In Progress', 'in_progress'],
      ['Review', 'in_progress'],
      ['Done', 'done'],
    ]);
    const members = await t.get(`/projects/${res.body.id}/members/`, { token: w.tokens.user });
    expect(members.body.results).toEqual([
      { user: { id: w.ids.user, username: 'user', name: 'user' }, role: 'superadmin' },
    ]);
  });

  it('refuses a duplicate key in any case, and a malformed key', async () => {
    expect((await t.post('/projects/', { name: 'Dup', key: 'ops' }, { token: w.tokens.admin })).status).toBe(409);
    expect((await t.post('/projects/', { name: 'Bad', key: '1X' }, { token: w.tokens.admin })).status).toBe(400);
  });

  it('company people cannot create projects', async () => {
    const res = await t.post('/projects/', { name: 'Client', key: 'CLI' }, { token: w.tokens.companyUser });
    expect(res.status).toBe(403);
  });

  it('lists only visible projects, with the caller role', async () => {
    const mine = await t.get('/projects/', { token: w.tokens.manager });
    expect(mine.body.results.map((p: any) => [p.key, p.role])).toEqual([['OPS', 'manager']]);
    const client = await t.get('/projects/', { token: w.tokens.companyUser });
    expect(client.body.results.map((p: any) => [p.key, p.role])).toEqual([['OPS', null]]);
    const outsider = await t.get('/projects/', { token: w.tokens.outsider });
    expect(outsider.body.count).toBe(0);
    expect((await t.get(`/projects/${w.projectId}/`, { token: w.tokens.outsider })).status).toBe(404);
  });

  it('only superadmins edit and delete; others who see get 403', async () => {
    expect((await t.patch(`/projects/${w.projectId}/`, { name: 'Ops!' }, { token: w.tokens.admin })).status).toBe(403);
    const ok = await t.patch(
      `/projects/${w.projectId}/`,
      { description: 'Runs the place' },
      { token: w.tokens.superadmin },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.description).toBe('Runs the place');
    const temp = await t.post('/projects/', { name: 'Temp', key: 'TMP' }, { token: w.tokens.admin });
    await t.post('/tickets/', { project: temp.body.id, title: 'x' }, { token: w.tokens.admin });
    expect((await t.del(`/projects/${temp.body.id}/`, { token: w.tokens.admin })).status).toBe(204);
    expect((await t.get(`/projects/${temp.body.id}/`, { token: w.tokens.admin })).status).toBe(404);
  });
});

describe('members', () => {
  it('adds, changes and removes members; the last superadmin stays', async () => {
    const p = await t.post('/projects/', { name: 'Team', key: 'TEAM' }, { token: w.tokens.admin });
    const id = p.body.id;
    const add = await t.post(
      `/projects/${id}/members/`,
      { user_id: w.ids.user, role: 'user' },
      { token: w.tokens.admin },
    );
    expect(add.status).toBe(201);
    expect(
      (await t.post(`/projects/${id}/members/`, { user_id: w.ids.user, role: 'admin' }, { token: w.tokens.admin }))
        .status,
    ).toBe(409);
    const promote = await t.patch(
      `/projects/${id}/members/${w.ids.user}/`,
      { role: 'admin' },
      { token: w.tokens.admin },
    );
    expect(promote.body.role).toBe('admin');
    const demoteLast = await t.patch(
      `/projects/${id}/members/${w.ids.admin}/`,
      { role: 'user' },
      { token: w.tokens.admin },
    );
    expect(demoteLast.status).toBe(409);
    expect((await t.del(`/projects/${id}/members/${w.ids.admin}/`, { token: w.tokens.admin })).status).toBe(409);
    expect((await t.del(`/projects/${id}/members/${w.ids.user}/`, { token: w.tokens.admin })).status).toBe(204);
    expect((await t.get(`/projects/${id}/`, { token: w.tokens.user })).status).toBe(404);
    const unknown = await t.post(
      `/projects/${id}/members/`,
      { user_id: 999999, role: 'user' },
      { token: w.tokens.admin },
    );
    expect(unknown.status).toBe(400);
  });
});

describe('board', () => {
  it('returns columns with their ordered tickets, and reflects changes at once', async () => {
    const first = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.manager });
    expect(first.status).toBe(200);
    expect(first.body.columns.map((c: any) => c.name)).toEqual(['To Do', 'In Progress', 'Review', 'Done']);
    const again = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.manager });
    expect(again.body).toEqual(first.body);
    const created = await t.post('/tickets/', { project: w.projectId, title: 'Fresh card' }, { token: w.tokens.admin });
    const after = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.manager });
    expect(after.body.seq).toBeGreaterThan(first.body.seq);
    const todo = after.body.columns[0].tickets.map((x: any) => x.id);
    expect(todo.at(-1)).toBe(created.body.id);
  });
});

describe('columns and tags', () => {
  it('superadmins add, reorder, re-categorise and delete columns', async () => {
    const c = await t.post(
      '/columns/',
      { project: w.projectId, name: 'Blocked', wip_limit: 3 },
      { token: w.tokens.superadmin },
    );
    expect(c.status).toBe(201);
    const cols = () => t.get(`/columns/?project=${w.projectId}`, { token: w.tokens.admin });
    expect((await cols()).body.results.at(-1).name).toBe('Blocked');
    const todo = (await cols()).body.results[0];
    const moved = await t.post(`/columns/${c.body.id}/move/`, { after: todo.id }, { token: w.tokens.superadmin });
    expect(moved.status).toBe(200);
    expect((await cols()).body.results.map((x: any) => x.name).slice(0, 2)).toEqual(['To Do', 'Blocked']);
    const tk = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'Stuck', column: c.body.id },
      { token: w.tokens.admin },
    );
    expect((await t.del(`/columns/${c.body.id}/`, { token: w.tokens.superadmin })).status).toBe(409);
    const done = await t.patch(`/columns/${c.body.id}/`, { category: 'done' }, { token: w.tokens.superadmin });
    expect(done.body.category).toBe('done');
    const ticket = await t.get(`/tickets/${tk.body.id}/`, { token: w.tokens.admin });
    expect(ticket.body.status).toBe('done');
    expect(ticket.body.done_at).not.toBeNull();
    expect((await t.patch(`/columns/${c.body.id}/`, { name: 'x' }, { token: w.tokens.admin })).status).toBe(403);
    await t.del(`/tickets/${tk.body.id}/`, { token: w.tokens.superadmin });
    expect((await t.del(`/columns/${c.body.id}/`, { token: w.tokens.superadmin })).status).toBe(204);
  });

  it('deletes a column with move_to: its tickets, archived ones too, move to the end of that column in order, with events', async () => {
    const token = w.tokens.superadmin;
    const cols = (await t.get(`/columns/?project=${w.projectId}`, { token })).body.results;
    const target = cols.find((c: any) => c.name === 'In Progress');
    const old = await t.post('/columns/', { project: w.projectId, name: 'Retired' }, { token });
    const titles = ['R1', 'R2', 'R3'];
    const ids: number[] = [];
    for (const title of titles) {
      ids.push((await t.post('/tickets/', { project: w.projectId, title, column: old.body.id }, { token })).body.id);
    }
    expect((await t.post(`/tickets/${ids[1]}/archive/`, undefined, { token })).status).toBe(200);
    const [{ seq: before }] = await t.sql<[{ seq: number }]>`
      select seq::int from topic_seqs where topic = ${`project:${w.projectId}`}`;

    // A column of another project, or the column itself, is refused and nothing moves.
    for (const bad of [old.body.id, 999_999]) {
      const res = await t.del(`/columns/${old.body.id}/?move_to=${bad}`, { token });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toHaveProperty('move_to');
    }
    expect((await t.get(`/tickets/${ids[0]}/`, { token })).body.column).toBe(old.body.id);

    expect((await t.del(`/columns/${old.body.id}/?move_to=${target.id}`, { token })).status).toBe(204);
    const moved = await Promise.all(ids.map(async (id) => (await t.get(`/tickets/${id}/`, { token })).body));
    expect(moved.map((m) => [m.column, m.status, m.is_archived])).toEqual([
      [target.id, 'in_progress', false],
      [target.id, 'in_progress', true],
      [target.id, 'in_progress', false],
    ]);
    // Still in their order, after everything already there.
    const positions = moved.map((m) => m.position);
    expect([...positions].sort()).toEqual(positions);
    const [{ last }] = await t.sql<[{ last: string }]>`
      select max(position) as last from tickets where column_id = ${target.id} and id <> all(${ids})`;
    if (last !== null) expect(positions[0] > last).toBe(true);
    const events = await t.sql<{ type: string }[]>`
      select type from events where topic = ${`project:${w.projectId}`} and seq > ${before} order by seq`;
    expect(events.map((e) => e.type)).toEqual(['ticket.moved', 'ticket.moved', 'ticket.moved', 'column.deleted']);
    expect((await t.patch(`/columns/${old.body.id}/`, { name: 'Back' }, { token })).status).toBe(404);
  });

  it('tags are unique per project ignoring case, with validated colours', async () => {
    const ok = await t.post(
      '/tags/',
      { project: w.projectId, name: 'Network', colour: '#00ff00' },
      { token: w.tokens.superadmin },
    );
    expect(ok.status).toBe(201);
    expect(
      (await t.post('/tags/', { project: w.projectId, name: 'NETWORK' }, { token: w.tokens.superadmin })).status,
    ).toBe(409);
    expect(
      (await t.post('/tags/', { project: w.projectId, name: 'x', colour: 'red' }, { token: w.tokens.superadmin }))
        .status,
    ).toBe(400);
    expect((await t.post('/tags/', { project: w.projectId, name: 'y' }, { token: w.tokens.admin })).status).toBe(403);
    expect((await t.post('/tags/', { project: w.projectId, name: 'y' }, { token: w.tokens.outsider })).status).toBe(
      404,
    );
    const renamed = await t.patch(`/tags/${ok.body.id}/`, { name: 'Net' }, { token: w.tokens.superadmin });
    expect(renamed.body.name).toBe('Net');
    expect((await t.del(`/tags/${ok.body.id}/`, { token: w.tokens.superadmin })).status).toBe(204);
  });

  it('lists the four fixed priorities', async () => {
    const res = await t.get('/priorities/', { token: w.tokens.companyUser });
    expect(res.body.results.map((p: any) => p.name)).toEqual(['Low', 'Medium', 'High', 'Urgent']);
  });
});

describe('report', () => {
  it('counts per column and per day, for managers and up only', async () => {
    const res = await t.get(`/projects/${w.projectId}/report/?days=7`, { token: w.tokens.manager });
    expect(res.status).toBe(200);
    expect(res.body.per_day).toHaveLength(7);
    const open = res.body.columns.reduce((n: number, c: any) => n + c.count, 0);
    const list = await t.get(`/tickets/?project=${w.projectId}&page_size=200`, { token: w.tokens.admin });
    expect(open).toBe(list.body.count);
    expect(res.body.per_day.at(-1).created).toBeGreaterThan(0);
    expect((await t.get(`/projects/${w.projectId}/report/`, { token: w.tokens.user })).status).toBe(403);
    expect((await t.get(`/projects/${w.projectId}/report/`, { token: w.tokens.companyAdmin })).status).toBe(403);
  });
});

describe('board transport', () => {
  it('gzips for clients that accept it and answers 304 to a known version', async () => {
    const plain = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.admin });
    const etag = plain.headers.get('etag');
    expect(etag).toMatch(/^W\/"board-/);
    const zipped = await t.app.request(`http://laneway.test/api/tickets/projects/${w.projectId}/board/`, {
      headers: { authorization: `Bearer ${w.tokens.admin}`, 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(JSON.parse(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString())).toEqual(plain.body);
    const same = await t.get(`/projects/${w.projectId}/board/`, {
      token: w.tokens.admin,
      headers: { 'if-none-match': etag! },
    });
    expect(same.status).toBe(304);
    await t.post('/tickets/', { project: w.projectId, title: 'Changes the version' }, { token: w.tokens.admin });
    const changed = await t.get(`/projects/${w.projectId}/board/`, {
      token: w.tokens.admin,
      headers: { 'if-none-match': etag! },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('gives company people their own scoped version, never the staff one', async () => {
    const staff = await t.get(`/projects/${w.projectId}/board/`, { token: w.tokens.admin });
    const client = await t.get(`/projects/${w.projectId}/board/`, {
      token: w.tokens.companyUser,
      headers: { 'if-none-match': staff.headers.get('etag')! },
    });
    expect(client.status).toBe(200);
    const ids = client.body.columns.flatMap((c: any) => c.tickets.map((x: any) => x.company));
    expect(ids.every((company: number) => company === w.companyA)).toBe(true);
  });
});

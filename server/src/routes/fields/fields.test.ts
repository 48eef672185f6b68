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

const sa = () => ({ token: w.tokens.superadmin });
const admin = () => ({ token: w.tokens.admin });

async function newField(body: Record<string, unknown>, projectId = w.projectId) {
  const res = await t.post(`/projects/${projectId}/fields/`, body, sa());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as {
    id: number;
    options: { id: number; label: string; colour: string | null }[];
    position: string;
  };
}

async function newTicket(extra: Record<string, unknown> = {}) {
  const res = await t.post('/tickets/', { project: w.projectId, title: 'With fields', ...extra }, admin());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; version: number; fields: Record<string, unknown> };
}

async function events(type: string) {
  return t.sql<{ payload: any }[]>`select payload from events where type = ${type} order by topic, seq`;
}

describe('field definitions', () => {
  it('creates fields in order, with option ids, and lists them for anyone who sees the project', async () => {
    const a = await newField({
      name: 'Severity',
      type: 'select',
      options: [{ label: 'Low' }, { label: 'High', colour: '#ff0000' }],
    });
    const b = await newField({ name: 'Estimate', type: 'number', show_on_card: true });
    expect(a.options.map((o) => o.label)).toEqual(['Low', 'High']);
    expect(a.options[1]!.colour).toBe('#ff0000');
    expect(a.position < b.position).toBe(true);
    const list = await t.get(`/projects/${w.projectId}/fields/`, { token: w.tokens.companyUser });
    expect(list.status).toBe(200);
    const ids = (list.body.results as { id: number }[]).map((f) => f.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
    expect((await events('field.created')).map((e) => e.payload.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('moves a field before another, by fractional keys', async () => {
    const a = await newField({ name: 'First', type: 'text' });
    const b = await newField({ name: 'Second', type: 'text' });
    const moved = await t.post(`/fields/${b.id}/move/`, { before: a.id }, sa());
    expect(moved.status).toBe(200);
    expect(moved.body.position < a.position).toBe(true);
  });

  it('refuses options on a field that is not a select, and duplicate labels', async () => {
    const res = await t.post(
      `/projects/${w.projectId}/fields/`,
      { name: 'X', type: 'text', options: [{ label: 'a' }] },
      sa(),
    );
    expect(res.status).toBe(400);
    const dup = await t.post(
      `/projects/${w.projectId}/fields/`,
      { name: 'Y', type: 'select', options: [{ label: 'a' }, { label: 'A' }] },
      sa(),
    );
    expect(dup.status).toBe(400);
  });

  it('refuses an option id of another field when editing options (option of another field)', async () => {
    const a = await newField({ name: 'A', type: 'select', options: [{ label: 'one' }] });
    const b = await newField({ name: 'B', type: 'select', options: [{ label: 'two' }] });
    const res = await t.patch(`/fields/${a.id}/`, { options: [{ id: b.options[0]!.id, label: 'stolen' }] }, sa());
    expect(res.status).toBe(400);
    expect(res.body.error.details.options).toHaveLength(1);
  });

  it('lets only those who manage the project change fields, and hides other projects’ fields', async () => {
    const f = await newField({ name: 'Managed', type: 'checkbox' });
    expect((await t.patch(`/fields/${f.id}/`, { name: 'Nope' }, admin())).status).toBe(403);
    expect((await t.post(`/projects/${w.projectId}/fields/`, { name: 'N', type: 'text' }, admin())).status).toBe(403);
    expect((await t.del(`/fields/${f.id}/`, { token: w.tokens.outsider })).status).toBe(404);
    expect((await t.get(`/projects/${w.projectId}/fields/`, { token: w.tokens.outsider })).status).toBe(404);
  });
});

describe('values on tickets', () => {
  it('stores values of every type on create, shows them, and records them in the event', async () => {
    const sel = await newField({ name: 'Sel', type: 'select', options: [{ label: 'a' }, { label: 'b' }] });
    const multi = await newField({ name: 'Multi', type: 'multi_select', options: [{ label: 'x' }, { label: 'y' }] });
    const text = await newField({ name: 'Text', type: 'text' });
    const num = await newField({ name: 'Num', type: 'number' });
    const date = await newField({ name: 'Date', type: 'date' });
    const box = await newField({ name: 'Box', type: 'checkbox' });
    const user = await newField({ name: 'Owner', type: 'user' });
    const url = await newField({ name: 'Link', type: 'url' });
    const values = {
      [sel.id]: sel.options[1]!.id,
      // Stored in the options' order, once each.
      [multi.id]: [multi.options[1]!.id, multi.options[0]!.id, multi.options[1]!.id],
      [text.id]: 'hello',
      [num.id]: 2.5,
      [date.id]: '2026-02-28',
      [box.id]: true,
      [user.id]: w.ids.user,
      [url.id]: 'https://example.com/x',
    };
    const ticket = await newTicket({ fields: values });
    expect(ticket.fields).toEqual({ ...values, [multi.id]: [multi.options[0]!.id, multi.options[1]!.id] });
    const got = await t.get(`/tickets/${ticket.id}/`, admin());
    expect(got.body.fields).toEqual(ticket.fields);
    const created = (await events('ticket.created')).find((e) => e.payload.id === ticket.id);
    expect(created!.payload.fields).toEqual(ticket.fields);
  });

  it('answers 400 naming the field for a value of the wrong type, and stores nothing', async () => {
    const num = await newField({ name: 'Wrong type', type: 'number' });
    const date = await newField({ name: 'Bad date', type: 'date' });
    const before = await t.sql<{ n: number }[]>`select count(*)::int as n from tickets`;
    const res = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'x', fields: { [num.id]: 'seven', [date.id]: '2026-02-30' } },
      admin(),
    );
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details).sort()).toEqual([`fields.${date.id}`, `fields.${num.id}`].sort());
    const after = await t.sql<{ n: number }[]>`select count(*)::int as n from tickets`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('refuses an unknown field, a field of another project, an option of another field, a non-member user, a javascript: URL', async () => {
    const other = await t.post('/projects/', { name: 'Other', key: 'OTH' }, sa());
    const foreign = await newField({ name: 'Foreign', type: 'text' }, other.body.id);
    const a = await newField({ name: 'Opt A', type: 'select', options: [{ label: '1' }] });
    const b = await newField({ name: 'Opt B', type: 'select', options: [{ label: '2' }] });
    const who = await newField({ name: 'Who', type: 'user' });
    const link = await newField({ name: 'Href', type: 'url' });
    const ticket = await newTicket();
    for (const fields of [
      { 999999: 'x' },
      { [foreign.id]: 'x' },
      { [a.id]: b.options[0]!.id },
      { [who.id]: w.ids.outsider },
      { [link.id]: 'javascript:alert(1)' },
    ]) {
      const res = await t.patch(`/tickets/${ticket.id}/`, { fields, version: ticket.version }, admin());
      expect(res.status, JSON.stringify(fields)).toBe(400);
    }
    const [row] = await t.sql<
      { fields: object; version: number }[]
    >`select fields, version from tickets where id = ${ticket.id}`;
    expect(row).toEqual({ fields: {}, version: ticket.version });
  });

  it('edits with version: merges, clears with null, logs the change, and answers 409 when stale', async () => {
    const f = await newField({ name: 'Edit me', type: 'text' });
    const g = await newField({ name: 'Keep me', type: 'number' });
    const ticket = await newTicket({ fields: { [f.id]: 'one', [g.id]: 1 } });
    const res = await t.patch(
      `/tickets/${ticket.id}/`,
      { fields: { [f.id]: 'two' }, version: ticket.version },
      admin(),
    );
    expect(res.status).toBe(200);
    expect(res.body.fields).toEqual({ [f.id]: 'two', [g.id]: 1 });
    expect(res.body.version).toBe(ticket.version + 1);
    const cleared = await t.patch(
      `/tickets/${ticket.id}/`,
      { fields: { [f.id]: null }, version: res.body.version },
      admin(),
    );
    expect(cleared.body.fields).toEqual({ [g.id]: 1 });
    const stale = await t.patch(
      `/tickets/${ticket.id}/`,
      { fields: { [f.id]: 'three' }, version: ticket.version },
      admin(),
    );
    expect(stale.status).toBe(409);
    const [log] = await t.sql<{ data: any }[]>`
      select data from activity where ticket_id = ${ticket.id} and verb = 'ticket.updated' order by id limit 1`;
    expect(log!.data.changed[`field_${f.id}`]).toEqual(['one', 'two']);
  });

  it('requires a required field on create and refuses clearing it', async () => {
    const other = await t.post('/projects/', { name: 'Req', key: 'REQ' }, sa());
    const f = await newField({ name: 'Must', type: 'text', required: true }, other.body.id);
    const missing = await t.post('/tickets/', { project: other.body.id, title: 'x' }, sa());
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[`fields.${f.id}`]).toBeDefined();
    const ok = await t.post('/tickets/', { project: other.body.id, title: 'x', fields: { [f.id]: 'here' } }, sa());
    expect(ok.status).toBe(201);
    const clear = await t.patch(`/tickets/${ok.body.id}/`, { fields: { [f.id]: null } }, sa());
    expect(clear.status).toBe(400);
  });

  it('removing an option cleans its values (a multi-select keeps its other choices); removing a field cleans its key', async () => {
    const sel = await newField({ name: 'Clean sel', type: 'select', options: [{ label: 'keep' }, { label: 'drop' }] });
    const multi = await newField({
      name: 'Clean multi',
      type: 'multi_select',
      options: [{ label: 'k' }, { label: 'd' }],
    });
    const [keep, drop] = sel.options;
    const [mk, md] = multi.options;
    const t1 = await newTicket({ fields: { [sel.id]: drop!.id, [multi.id]: [mk!.id, md!.id] } });
    const t2 = await newTicket({ fields: { [sel.id]: keep!.id, [multi.id]: [md!.id] } });
    expect((await t.patch(`/fields/${sel.id}/`, { options: [{ id: keep!.id, label: 'keep' }] }, sa())).status).toBe(
      200,
    );
    expect((await t.patch(`/fields/${multi.id}/`, { options: [{ id: mk!.id, label: 'k' }] }, sa())).status).toBe(200);
    const read = async (id: number) => (await t.get(`/tickets/${id}/`, admin())).body.fields;
    expect(await read(t1.id)).toEqual({ [multi.id]: [mk!.id] });
    expect(await read(t2.id)).toEqual({ [sel.id]: keep!.id });
    expect((await t.del(`/fields/${sel.id}/`, sa())).status).toBe(204);
    expect(await read(t2.id)).toEqual({});
    const deleted = await events('field.deleted');
    expect(deleted.at(-1)!.payload).toEqual({ id: sel.id });
  });
});

describe('filtering and ordering the list', () => {
  it('filters by a select, a checkbox and text, and orders by a number', async () => {
    const other = await t.post('/projects/', { name: 'Filter', key: 'FLT' }, sa());
    const p = other.body.id as number;
    const sel = await newField({ name: 'Team', type: 'select', options: [{ label: 'red' }, { label: 'blue' }] }, p);
    const box = await newField({ name: 'Urgent', type: 'checkbox' }, p);
    const num = await newField({ name: 'Points', type: 'number' }, p);
    const note = await newField({ name: 'Note', type: 'text' }, p);
    const [red, blue] = sel.options;
    const mk = async (title: string, fields: Record<string, unknown>) =>
      (await t.post('/tickets/', { project: p, title, fields }, sa())).body.id as number;
    const a = await mk('a', { [sel.id]: red!.id, [num.id]: 3, [box.id]: true });
    const b = await mk('b', { [sel.id]: blue!.id, [num.id]: 1, [note.id]: 'needle here' });
    const c = await mk('c', { [sel.id]: red!.id, [num.id]: 2 });
    const list = async (q: string) => {
      const res = await t.get(`/tickets/?project=${p}&${q}`, sa());
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.results as { id: number }[]).map((r) => r.id);
    };
    expect((await list(`field_${sel.id}=${red!.id}`)).sort()).toEqual([a, c].sort());
    expect(await list(`field_${box.id}=true`)).toEqual([a]);
    expect((await list(`field_${box.id}=false`)).sort()).toEqual([b, c].sort());
    expect(await list(`field_${note.id}=needle`)).toEqual([b]);
    expect(await list('search=needle')).toEqual([b]);
    expect(await list(`ordering=field_${num.id}`)).toEqual([b, c, a]);
    expect(await list(`ordering=-field_${num.id}`)).toEqual([a, c, b]);
    expect(await list(`ordering=field_${sel.id},number`)).toEqual([a, c, b]);
  });

  it('answers 400 for a filter on an option of another field, a bad value, or a field the caller cannot see', async () => {
    const a = await newField({ name: 'FA', type: 'select', options: [{ label: '1' }] });
    const b = await newField({ name: 'FB', type: 'select', options: [{ label: '2' }] });
    const n = await newField({ name: 'FN', type: 'number' });
    expect((await t.get(`/tickets/?field_${a.id}=${b.options[0]!.id}`, admin())).status).toBe(400);
    expect((await t.get(`/tickets/?field_${n.id}=abc`, admin())).status).toBe(400);
    expect((await t.get(`/tickets/?field_${a.id}=${a.options[0]!.id}`, { token: w.tokens.outsider })).status).toBe(400);
    expect((await t.get(`/tickets/?ordering=field_${n.id}`, { token: w.tokens.outsider })).status).toBe(400);
    expect((await t.get('/tickets/?ordering=field_x', admin())).status).toBe(400);
  });
});

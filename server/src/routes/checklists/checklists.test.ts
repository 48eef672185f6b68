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

const admin = () => ({ token: w.tokens.admin });

async function newTicket(extra: Record<string, unknown> = {}) {
  const res = await t.post('/tickets/', { project: w.projectId, title: 'Checklist', ...extra }, admin());
  expect(res.status).toBe(201);
  return res.body as { id: number; version: number; checklist: { done: number; total: number } };
}

async function add(ticket: number, text: string, extra: Record<string, unknown> = {}) {
  const res = await t.post(`/tickets/${ticket}/checklist/`, { text, ...extra }, admin());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; position: string; done: boolean };
}

const texts = async (ticket: number, token = w.tokens.admin) =>
  ((await t.get(`/tickets/${ticket}/checklist/`, { token })).body.results as { text: string }[]).map((i) => i.text);

describe('checklists', () => {
  it('adds items in order (or after one), ticks them, and the ticket shows {done, total} without a new version', async () => {
    const ticket = await newTicket();
    expect(ticket.checklist).toEqual({ done: 0, total: 0 });
    const a = await add(ticket.id, 'Unplug');
    await add(ticket.id, 'Wait');
    await add(ticket.id, 'Plug in again', { after: a.id });
    expect(await texts(ticket.id)).toEqual(['Unplug', 'Plug in again', 'Wait']);
    const ticked = await t.patch(`/checklist-items/${a.id}/`, { done: true }, admin());
    expect(ticked.status).toBe(200);
    expect(ticked.body.done).toBe(true);
    const got = await t.get(`/tickets/${ticket.id}/`, admin());
    expect(got.body.checklist).toEqual({ done: 1, total: 3 });
    expect(got.body.version).toBe(ticket.version);
    // The board shows the same progress.
    const board = await t.get(`/projects/${w.projectId}/board/`, admin());
    const card = (board.body.columns as { tickets: { id: number; checklist: unknown }[] }[])
      .flatMap((c) => c.tickets)
      .find((c) => c.id === ticket.id);
    expect(card!.checklist).toEqual({ done: 1, total: 3 });
  });

  it('records an event with the progress and the ticket company for every change', async () => {
    const ticket = await newTicket({ company: w.companyA });
    const item = await add(ticket.id, 'One');
    await t.patch(`/checklist-items/${item.id}/`, { done: true }, admin());
    expect((await t.del(`/checklist-items/${item.id}/`, admin())).status).toBe(204);
    const events = await t.sql<{ type: string; payload: any }[]>`
      select type, payload from events where type like 'checklist.%' and (payload->>'ticket')::int = ${ticket.id}
      order by seq`;
    expect(events.map((e) => [e.type, e.payload.checklist, e.payload.company])).toEqual([
      ['checklist.item_created', { done: 0, total: 1 }, w.companyA],
      ['checklist.item_updated', { done: 1, total: 1 }, w.companyA],
      ['checklist.item_deleted', { done: 0, total: 0 }, w.companyA],
    ]);
  });

  it('moves an item to the top and after another', async () => {
    const ticket = await newTicket();
    const a = await add(ticket.id, 'a');
    const b = await add(ticket.id, 'b');
    const c = await add(ticket.id, 'c');
    expect((await t.patch(`/checklist-items/${c.id}/`, { after: null }, admin())).status).toBe(200);
    expect(await texts(ticket.id)).toEqual(['c', 'a', 'b']);
    expect((await t.patch(`/checklist-items/${c.id}/`, { after: b.id }, admin())).status).toBe(200);
    expect(await texts(ticket.id)).toEqual(['a', 'b', 'c']);
    // An item of another ticket is not a neighbour.
    const other = await newTicket();
    const foreign = await add(other.id, 'x');
    expect((await t.patch(`/checklist-items/${a.id}/`, { after: foreign.id }, admin())).status).toBe(400);
    expect((await t.post(`/tickets/${ticket.id}/checklist/`, { text: 'y', after: foreign.id }, admin())).status).toBe(
      400,
    );
  });

  it('refuses empty text and unknown keys', async () => {
    const ticket = await newTicket();
    expect((await t.post(`/tickets/${ticket.id}/checklist/`, { text: '  ' }, admin())).status).toBe(400);
    expect((await t.post(`/tickets/${ticket.id}/checklist/`, { text: 'a', ticket: 1 }, admin())).status).toBe(400);
  });

  it("hides another company's checklist (404, nothing stored) and refuses edits by those who may only read (403)", async () => {
    const ticket = await newTicket({ company: w.companyA });
    const item = await add(ticket.id, 'Secret step');
    const other = { token: w.tokens.otherCompanyUser };
    expect((await t.get(`/tickets/${ticket.id}/checklist/`, other)).status).toBe(404);
    expect((await t.post(`/tickets/${ticket.id}/checklist/`, { text: 'planted' }, other)).status).toBe(404);
    expect((await t.patch(`/checklist-items/${item.id}/`, { done: true }, other)).status).toBe(404);
    expect((await t.del(`/checklist-items/${item.id}/`, other)).status).toBe(404);
    expect((await t.patch(`/checklist-items/${item.id}/`, { done: true }, { token: w.tokens.manager })).status).toBe(
      403,
    );
    expect(await texts(ticket.id)).toEqual(['Secret step']);
    const [row] = await t.sql<{ done: boolean }[]>`select done from checklist_items where id = ${item.id}`;
    expect(row!.done).toBe(false);
    expect(await texts(ticket.id, w.tokens.companyUser)).toEqual(['Secret step']);
  });
});

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

async function newTicket(title: string, extra: Record<string, unknown> = {}, token = w.tokens.admin) {
  const res = await t.post('/tickets/', { project: w.projectId, title, ...extra }, { token });
  expect(res.status).toBe(201);
  return res.body as { id: number; key: string; blocked: boolean };
}

const relationCount = async () => (await t.sql<{ n: number }[]>`select count(*)::int as n from ticket_relations`)[0]!.n;

describe('relations', () => {
  it('links two tickets, reads the inverse from the other end, and marks the blocked one until the blocker is done', async () => {
    const blocker = await newTicket('Order parts');
    const blocked = await newTicket('Repair printer');
    expect(blocked.blocked).toBe(false);
    const res = await t.post(`/tickets/${blocker.id}/relations/`, { kind: 'blocks', ticket: blocked.id }, admin());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'blocks', ticket: { id: blocked.id, key: blocked.key } });
    const inverse = await t.get(`/tickets/${blocked.id}/relations/`, admin());
    expect(inverse.body.results).toEqual([
      expect.objectContaining({ kind: 'blocked_by', ticket: expect.objectContaining({ id: blocker.id }) }),
    ]);
    expect((await t.get(`/tickets/${blocked.id}/`, admin())).body.blocked).toBe(true);
    const done = w.columns.find((c) => c.category === 'done')!.id;
    expect((await t.post(`/tickets/${blocker.id}/move/`, { column: done }, admin())).status).toBe(200);
    expect((await t.get(`/tickets/${blocked.id}/`, admin())).body.blocked).toBe(false);
    const [event] = await t.sql<{ payload: any }[]>`
      select payload from events where type = 'relation.created' and (payload->>'id')::int = ${res.body.id}`;
    expect(event!.payload).toMatchObject({ kind: 'blocks', from: blocker.id, to: blocked.id, to_blocked: true });
    expect((await t.del(`/relations/${res.body.id}/`, admin())).status).toBe(204);
    expect((await t.get(`/tickets/${blocked.id}/relations/`, admin())).body.results).toEqual([]);
  });

  it('links across projects the caller can see', async () => {
    const other = await t.post('/projects/', { name: 'Elsewhere', key: 'ELS' }, { token: w.tokens.superadmin });
    const there = await t.post(
      '/tickets/',
      { project: other.body.id, title: 'Upstream' },
      { token: w.tokens.superadmin },
    );
    const here = await newTicket('Downstream', {}, w.tokens.superadmin);
    const res = await t.post(
      `/tickets/${here.id}/relations/`,
      { kind: 'duplicates', ticket: there.body.id },
      { token: w.tokens.superadmin },
    );
    expect(res.status).toBe(201);
    const back = await t.get(`/tickets/${there.body.id}/relations/`, { token: w.tokens.superadmin });
    expect(back.body.results[0]).toMatchObject({ kind: 'duplicated_by', ticket: { id: here.id } });
  });

  it('answers 404 and stores nothing for a relation to a ticket the caller cannot see', async () => {
    const other = await t.post('/projects/', { name: 'Hidden', key: 'HID' }, { token: w.tokens.superadmin });
    const hidden = await t.post(
      '/tickets/',
      { project: other.body.id, title: 'Secret' },
      { token: w.tokens.superadmin },
    );
    const mine = await newTicket('Visible');
    const before = await relationCount();
    const res = await t.post(`/tickets/${mine.id}/relations/`, { kind: 'relates', ticket: hidden.body.id }, admin());
    expect(res.status).toBe(404);
    expect(await relationCount()).toBe(before);
    // Company B's person cannot link A's ticket to theirs either.
    const fromB = await t.post(
      `/tickets/${w.companyBTicket}/relations/`,
      { kind: 'relates', ticket: w.companyATicket },
      { token: w.tokens.otherCompanyUser },
    );
    expect(fromB.status).toBe(404);
    expect(await relationCount()).toBe(before);
  });

  it('never shows company people a relation to a ticket outside their companies', async () => {
    const internal = await newTicket('Internal root cause');
    const res = await t.post(
      `/tickets/${internal.id}/relations/`,
      { kind: 'blocks', ticket: w.companyATicket },
      admin(),
    );
    expect(res.status).toBe(201);
    const staff = await t.get(`/tickets/${w.companyATicket}/relations/`, admin());
    expect(staff.body.results.map((r: any) => r.ticket.id)).toContain(internal.id);
    const customer = await t.get(`/tickets/${w.companyATicket}/relations/`, { token: w.tokens.companyUser });
    expect(customer.status).toBe(200);
    expect(customer.body.results).toEqual([]);
    // The customer cannot remove it either: its other end is invisible to them.
    expect((await t.del(`/relations/${res.body.id}/`, { token: w.tokens.companyUser })).status).toBe(404);
  });

  it('refuses a self-link, an unknown kind, a duplicate, and edits by those who may only read', async () => {
    const a = await newTicket('A');
    const b = await newTicket('B');
    expect((await t.post(`/tickets/${a.id}/relations/`, { kind: 'relates', ticket: a.id }, admin())).status).toBe(400);
    expect((await t.post(`/tickets/${a.id}/relations/`, { kind: 'parent', ticket: b.id }, admin())).status).toBe(400);
    expect((await t.post(`/tickets/${a.id}/relations/`, { kind: 'relates', ticket: b.id }, admin())).status).toBe(201);
    expect((await t.post(`/tickets/${a.id}/relations/`, { kind: 'relates', ticket: b.id }, admin())).status).toBe(409);
    const manager = { token: w.tokens.manager };
    expect((await t.post(`/tickets/${a.id}/relations/`, { kind: 'blocks', ticket: b.id }, manager)).status).toBe(403);
  });
});

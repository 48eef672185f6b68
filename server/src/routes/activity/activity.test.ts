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

describe('ticket activity', () => {
  it('lists every change of the ticket, newest first', async () => {
    const created = await t.post('/tickets/', { project: w.projectId, title: 'Watched' }, { token: w.tokens.admin });
    const id = created.body.id as number;
    await t.patch(`/tickets/${id}/`, { priority_id: 4 }, { token: w.tokens.admin });
    const comment = await t.post(`/tickets/${id}/comments/`, { body: 'On it' }, { token: w.tokens.user });
    const res = await t.get(`/tickets/${id}/activity/`, { token: w.tokens.manager });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(3);
    expect(res.body.results.map((a: any) => a.verb)).toEqual(['comment.created', 'ticket.updated', 'ticket.created']);
    expect(res.body.results[0]).toEqual({
      id: expect.any(Number),
      ticket: id,
      actor: w.ids.user,
      verb: 'comment.created',
      data: { comment: comment.body.id, parent: null },
      created_at: expect.any(String),
    });
    expect(res.body.results[1].data.changed.priority_id).toEqual([2, 4]);
    expect(res.body.results[2].actor).toBe(w.ids.admin);
  });

  it('records the names of the tags a change took off and put on (issue 13 row 10)', async () => {
    const created = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'Tagged', tags: [w.tagId] },
      { token: w.tokens.admin },
    );
    const id = created.body.id as number;
    const ui = await t.post(
      '/tags/',
      { project: w.projectId, name: 'UI', colour: '#123456' },
      { token: w.tokens.superadmin },
    );
    expect(ui.status).toBe(201);
    await t.patch(`/tickets/${id}/`, { tags: [ui.body.id] }, { token: w.tokens.admin });
    const [tag] = await t.sql<{ name: string }[]>`select name from tags where id = ${w.tagId}`;
    // Renamed afterwards: the log keeps the name the change was made under.
    await t.patch(`/tags/${ui.body.id}/`, { name: 'Interface' }, { token: w.tokens.superadmin });
    const res = await t.get(`/tickets/${id}/activity/`, { token: w.tokens.admin });
    expect(res.body.results[0].data).toEqual({
      changed: { tags: [[w.tagId], [ui.body.id]] },
      tag_names: { [w.tagId]: tag!.name, [ui.body.id]: 'UI' },
    });
  });

  it('paginates and shows only this ticket', async () => {
    const res = await t.get(`/tickets/${w.userTicket}/activity/?page_size=1`, { token: w.tokens.user });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1);
    expect(res.body.results[0]).toMatchObject({ ticket: w.userTicket, verb: 'ticket.created' });
    expect(res.body.next).toBeNull();
    expect((await t.get(`/tickets/${w.userTicket}/activity/?page=2`, { token: w.tokens.user })).status).toBe(404);
  });
});

describe('security', () => {
  it('company people read their own company tickets only', async () => {
    const own = await t.get(`/tickets/${w.companyATicket}/activity/`, { token: w.tokens.companyUser });
    expect(own.status).toBe(200);
    expect(own.body.results.map((a: any) => a.verb)).toContain('ticket.created');
    expect((await t.get(`/tickets/${w.companyBTicket}/activity/`, { token: w.tokens.companyUser })).status).toBe(404);
    expect((await t.get(`/tickets/${w.companyATicket}/activity/`, { token: w.tokens.otherCompanyUser })).status).toBe(
      404,
    );
    expect((await t.get(`/tickets/${w.userTicket}/activity/`, { token: w.tokens.companyAdmin })).status).toBe(404);
    expect((await t.get(`/tickets/${w.userTicket}/activity/`, { token: w.tokens.outsider })).status).toBe(404);
  });

  it('needs a signed-in user and a real ticket', async () => {
    expect((await t.get(`/tickets/${w.userTicket}/activity/`)).status).toBe(401);
    expect((await t.get('/tickets/999999/activity/', { token: w.tokens.superuser })).status).toBe(404);
  });
});

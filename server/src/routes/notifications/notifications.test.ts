import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';
import { mentionsIn } from '../../services/notifications.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

type Actor = keyof World['tokens'];

/** Everyone's unread notifications, by actor name, reduced to kind and ticket. */
async function unread(...who: Actor[]) {
  const out: Record<string, { kind: string; ticket: number }[]> = {};
  for (const name of who) {
    const res = await t.get('/notifications/?unread=true&page_size=200', { token: w.tokens[name] });
    expect(res.status).toBe(200);
    out[name] = res.body.results.map((n: any) => ({ kind: n.kind, ticket: n.ticket }));
  }
  return out;
}

async function readAll(...who: Actor[]) {
  for (const name of who)
    expect((await t.post('/notifications/read-all/', undefined, { token: w.tokens[name] })).status).toBe(200);
}

const everyone: Actor[] = [
  'superuser',
  'superadmin',
  'admin',
  'manager',
  'user',
  'companyAdmin',
  'companyUser',
  'otherCompanyUser',
  'outsider',
];

async function ticket(by: Actor, extra: Record<string, unknown> = {}) {
  const res = await t.post(
    '/tickets/',
    { project: w.projectId, title: 'Notify me', ...extra },
    { token: w.tokens[by] },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const done = () => w.columns.find((c) => c.category === 'done')!.id;

describe('rules', () => {
  it('tells new assignees, never the actor who assigned themselves', async () => {
    await readAll(...everyone);
    const tk = await ticket('admin', { assignees: [w.ids.user, w.ids.admin] });
    expect(await unread('user', 'admin', 'manager')).toEqual({
      user: [{ kind: 'assigned', ticket: tk.id }],
      admin: [],
      manager: [],
    });
    // Adding one more tells only the new one.
    await t.patch(
      `/tickets/${tk.id}/`,
      { assignees: [w.ids.user, w.ids.admin, w.ids.manager] },
      { token: w.tokens.superadmin },
    );
    expect(await unread('user', 'manager')).toEqual({
      user: [{ kind: 'assigned', ticket: tk.id }],
      manager: [{ kind: 'assigned', ticket: tk.id }],
    });
  });

  it('tells the reporter and assignees of a comment; a mention wins; others and strangers hear nothing', async () => {
    const tk = await ticket('user', { company: undefined });
    await t.patch(`/tickets/${tk.id}/`, { assignees: [w.ids.admin] }, { token: w.tokens.superadmin });
    await readAll(...everyone);
    const res = await t.post(
      `/tickets/${tk.id}/comments/`,
      { body: 'Ping @Manager and @admin, also @companyUser and @nobody.' },
      { token: w.tokens.superadmin },
    );
    expect(res.status).toBe(201);
    // companyUser cannot see a ticket without a company: the mention does not leak it.
    expect(await unread(...everyone)).toEqual({
      superuser: [],
      superadmin: [],
      admin: [{ kind: 'mentioned', ticket: tk.id }],
      manager: [{ kind: 'mentioned', ticket: tk.id }],
      user: [{ kind: 'commented', ticket: tk.id }],
      companyAdmin: [],
      companyUser: [],
      otherCompanyUser: [],
      outsider: [],
    });
    const [n] = (await t.get('/notifications/', { token: w.tokens.user })).body.results;
    expect(n).toEqual({
      id: expect.any(Number),
      kind: 'commented',
      ticket: tk.id,
      actor: w.ids.superadmin,
      data: {
        comment: res.body.id,
        excerpt: 'Ping @Manager and @admin, also @companyUser and @nobody.',
        ticket_key: tk.key,
        title: 'Notify me',
        project: w.projectId,
      },
      created_at: expect.any(String),
      read_at: null,
    });
  });

  it('tells the company people of a company ticket when mentioned, and chat once until read', async () => {
    await readAll(...everyone);
    const room = (await t.get(`/chat/rooms/?ticket=${w.companyATicket}`, { token: w.tokens.admin })).body.results[0];
    const say = (body: string) => t.post(`/chat/rooms/${room.id}/messages/`, { body }, { token: w.tokens.admin });
    expect((await say('Hello @companyadmin')).status).toBe(201);
    expect((await say('Looking into it')).status).toBe(201);
    expect((await say('Still looking')).status).toBe(201);
    // companyUser reported it: one `chat` notification however many lines, until read.
    expect(await unread('companyAdmin', 'companyUser', 'otherCompanyUser', 'admin')).toEqual({
      companyAdmin: [{ kind: 'mentioned', ticket: w.companyATicket }],
      companyUser: [{ kind: 'chat', ticket: w.companyATicket }],
      otherCompanyUser: [],
      admin: [],
    });
    await readAll('companyUser');
    expect((await say('Fixed')).status).toBe(201);
    expect((await unread('companyUser')).companyUser).toEqual([{ kind: 'chat', ticket: w.companyATicket }]);
  });

  it('tells the reporter and assignees when their ticket enters done, by move or by edit, once', async () => {
    const tk = await ticket('user');
    await t.patch(`/tickets/${tk.id}/`, { assignees: [w.ids.manager] }, { token: w.tokens.admin });
    await readAll(...everyone);
    const moved = await t.post(`/tickets/${tk.id}/move/`, { column: done() }, { token: w.tokens.admin });
    expect(moved.status).toBe(200);
    expect(await unread('user', 'manager', 'admin')).toEqual({
      user: [{ kind: 'done', ticket: tk.id }],
      manager: [{ kind: 'done', ticket: tk.id }],
      admin: [],
    });
    // Moving within done again says nothing new.
    await readAll('user', 'manager');
    expect((await t.post(`/tickets/${tk.id}/move/`, { column: done() }, { token: w.tokens.admin })).status).toBe(200);
    expect(await unread('user')).toEqual({ user: [] });
    // Out and back in by PATCH: the reporter moving it hears nothing, the assignee does.
    const todo = w.columns.find((c) => c.category === 'todo')!.id;
    await t.patch(`/tickets/${tk.id}/`, { column: todo }, { token: w.tokens.user });
    await t.patch(`/tickets/${tk.id}/`, { column: done() }, { token: w.tokens.user });
    expect(await unread('user', 'manager')).toEqual({ user: [], manager: [{ kind: 'done', ticket: tk.id }] });
  });

  it('writes nothing for a change that fails', async () => {
    const tk = await ticket('admin', { assignees: [w.ids.user] });
    await readAll('user');
    const stale = await t.patch(
      `/tickets/${tk.id}/`,
      { assignees: [w.ids.user, w.ids.manager], version: 999 },
      { token: w.tokens.admin },
    );
    expect(stale.status).toBe(409);
    const [{ n }] = await t.sql<[{ n: number }]>`
      select count(*)::int as n from notifications where ticket_id = ${tk.id} and user_id = ${w.ids.manager}`;
    expect(n).toBe(0);
  });

  it('finds mentions the way people write them', () => {
    expect(mentionsIn('hi @Alice, @bob. and @carol.smith! email a@b.c, @@x').sort()).toEqual(
      ['@x', 'alice', 'bob', 'bob.', 'carol.smith'].sort(),
    );
    expect(mentionsIn('mail me at me@example.com')).toEqual([]);
  });
});

describe('reading', () => {
  it('marks one read (idempotent), then all, and hides other people’s', async () => {
    await readAll('user');
    await ticket('admin', { assignees: [w.ids.user] });
    await ticket('admin', { assignees: [w.ids.user] });
    const list = await t.get('/notifications/?unread=true', { token: w.tokens.user });
    expect(list.body.count).toBe(2);
    const [newest, older] = list.body.results;
    expect(newest.id).toBeGreaterThan(older.id);
    expect((await t.post(`/notifications/${newest.id}/read/`, undefined, { token: w.tokens.admin })).status).toBe(404);
    const read = await t.post(`/notifications/${newest.id}/read/`, undefined, { token: w.tokens.user });
    expect(read.status).toBe(200);
    expect(read.body.read_at).toEqual(expect.any(String));
    const again = await t.post(`/notifications/${newest.id}/read/`, undefined, { token: w.tokens.user });
    expect(again.body.read_at).toBe(read.body.read_at);
    expect((await t.get('/notifications/?unread=true', { token: w.tokens.user })).body.count).toBe(1);
    expect((await t.post('/notifications/read-all/', undefined, { token: w.tokens.user })).body).toEqual({
      updated: 1,
    });
    expect((await t.post('/notifications/read-all/', undefined, { token: w.tokens.user })).body).toEqual({
      updated: 0,
    });
    expect((await t.get('/notifications/?unread=1', { token: w.tokens.user })).body.count).toBe(0);
    expect((await t.get('/notifications/', { token: w.tokens.user })).body.count).toBeGreaterThanOrEqual(2);
  });

  it('says the user topic seq the list was read at, which moves with each new notification', async () => {
    const before = (await t.get('/notifications/', { token: w.tokens.user })).body.seq;
    const [{ seq }] = await t.sql<[{ seq: number }]>`
      select seq::int from topic_seqs where topic = ${`user:${w.ids.user}`}`;
    expect(before).toBe(seq);
    await ticket('admin', { assignees: [w.ids.user] });
    expect((await t.get('/notifications/', { token: w.tokens.user })).body.seq).toBe(before + 1);
  });
});

describe('preferences (issue 13 item 15)', () => {
  it("are per user: one user's choice changes nobody else's; unknown kinds and channels are refused", async () => {
    const set = await t.patch(
      '/notifications/preferences/',
      { preferences: { done: 'none', chat: 'in_app' } },
      { token: w.tokens.manager },
    );
    expect(set.status).toBe(200);
    expect(set.body.preferences).toMatchObject({ done: 'none', chat: 'in_app', assigned: 'email' });
    expect(set.body.mail_configured).toBe(false);
    const other = await t.get('/notifications/preferences/', { token: w.tokens.user });
    expect(Object.values(other.body.preferences).every((c) => c === 'email')).toBe(true);
    for (const bad of [
      { preferences: { done: 'sms' } },
      { preferences: { birthday: 'email' } },
      { done: 'none' },
      { preferences: 'none' },
    ]) {
      const res = await t.patch('/notifications/preferences/', bad, { token: w.tokens.manager });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    // A done ticket the manager is assigned to: no notification for them.
    const tk = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'Quietly done', assignees: [w.ids.manager, w.ids.user] },
      { token: w.tokens.admin },
    );
    const done = w.columns.find((c) => c.category === 'done')!;
    expect((await t.post(`/tickets/${tk.body.id}/move/`, { column: done.id }, { token: w.tokens.admin })).status).toBe(
      200,
    );
    const heard = await t.sql<{ user_id: number }[]>`
      select user_id from notifications where ticket_id = ${tk.body.id} and kind = 'done'`;
    expect(heard.map((h) => h.user_id)).toEqual([w.ids.user]);
  });
});

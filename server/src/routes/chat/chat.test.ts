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

async function roomOf(ticket: number, token: string) {
  const res = await t.get(`/chat/rooms/?ticket=${ticket}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.count).toBe(1);
  return res.body.results[0];
}

async function say(room: number, token: string, body: string, clientId?: string) {
  return t.post(`/chat/rooms/${room}/messages/`, { body, ...(clientId ? { client_id: clientId } : {}) }, { token });
}

describe('rooms', () => {
  it("creates a ticket's room on first use, once, even when asked for at once", async () => {
    const res = await t.post('/tickets/', { project: w.projectId, title: 'Chatty' }, { token: w.tokens.admin });
    const ticket = res.body.id as number;
    const rooms = await Promise.all([
      roomOf(ticket, w.tokens.admin),
      roomOf(ticket, w.tokens.user),
      roomOf(ticket, w.tokens.superadmin),
    ]);
    expect(new Set(rooms.map((r) => r.id)).size).toBe(1);
    expect(rooms[0]).toEqual({
      id: expect.any(Number),
      project: w.projectId,
      ticket,
      name: `${res.body.key}`,
      ticket_title: 'Chatty',
      created_at: expect.any(String),
      last_message_at: null,
    });
    const [{ n }] = await t.sql<[{ n: number }]>`select count(*)::int as n from chat_rooms where ticket_id = ${ticket}`;
    expect(n).toBe(1);
  });

  it("lists a project's rooms the caller may talk in, most recently active first", async () => {
    const a = await roomOf(w.companyATicket, w.tokens.admin);
    const b = await roomOf(w.companyBTicket, w.tokens.admin);
    expect((await say(b.id, w.tokens.admin, 'B first')).status).toBe(201);
    expect((await say(a.id, w.tokens.admin, 'then A')).status).toBe(201);
    const staff = await t.get(`/chat/rooms/?project=${w.projectId}`, { token: w.tokens.manager });
    const ids = staff.body.results.map((r: any) => r.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
    expect(staff.body.results.find((r: any) => r.id === a.id).last_message_at).toEqual(expect.any(String));
    // Company people see only their company's tickets' rooms.
    const companyA = await t.get(`/chat/rooms/?project=${w.projectId}`, { token: w.tokens.companyUser });
    expect(companyA.body.results.map((r: any) => r.id)).toEqual([a.id]);
    const companyB = await t.get(`/chat/rooms/?project=${w.projectId}`, { token: w.tokens.otherCompanyUser });
    expect(companyB.body.results.map((r: any) => r.id)).toEqual([b.id]);
  });

  it('lists every room the caller may talk in, of all projects, with the ticket titles, when no project is named', async () => {
    const a = await roomOf(w.companyATicket, w.tokens.admin);
    const b = await roomOf(w.companyBTicket, w.tokens.admin);
    // A room in a project of its own, where only the superuser is anyone.
    const project = await t.post('/projects/', { name: 'Elsewhere', key: 'ELSE' }, { token: w.tokens.superuser });
    expect(project.status).toBe(201);
    const far = await t.post(
      '/tickets/',
      { project: project.body.id, title: 'Far away' },
      { token: w.tokens.superuser },
    );
    const other = await roomOf(far.body.id, w.tokens.superuser);
    expect((await say(other.id, w.tokens.superuser, 'elsewhere')).status).toBe(201);
    const all = await t.get('/chat/rooms/', { token: w.tokens.superuser });
    expect(all.status).toBe(200);
    const ids = all.body.results.map((r: any) => r.id);
    expect(ids).toEqual(expect.arrayContaining([a.id, b.id, other.id]));
    // The most recent message was in the other project's room: it comes first.
    expect(ids[0]).toBe(other.id);
    const [ticket] = await t.sql<[{ title: string }]>`select title from tickets where id = ${w.companyATicket}`;
    expect(all.body.results.find((r: any) => r.id === a.id).ticket_title).toBe(ticket!.title);
    // Company people: their companies' tickets' rooms only; a member: their projects' rooms only.
    const companyA = await t.get('/chat/rooms/', { token: w.tokens.companyUser });
    expect(companyA.body.results.map((r: any) => r.id)).toEqual([a.id]);
    const member = await t.get('/chat/rooms/', { token: w.tokens.manager });
    expect(member.body.results.map((r: any) => r.id)).not.toContain(other.id);
    expect(member.body.results.map((r: any) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('takes at most one of project and ticket', async () => {
    for (const query of [`?project=${w.projectId}&ticket=${w.userTicket}`, '?ticket=abc', '?project=0']) {
      const res = await t.get(`/chat/rooms/${query}`, { token: w.tokens.admin });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
  });
});

describe('messages', () => {
  it('stores a message with the chat message shape, once per client_id', async () => {
    const room = await roomOf(w.userTicket, w.tokens.user);
    const first = await say(room.id, w.tokens.user, 'Anyone there?', 'c-1');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.any(Number),
      room: room.id,
      author: w.ids.user,
      contact: null,
      via: 'app',
      body: 'Anyone there?',
      client_id: 'c-1',
      created_at: expect.any(String),
    });
    const again = await say(room.id, w.tokens.user, 'Anyone there? (resent)', 'c-1');
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    // The same client_id from another author is another message.
    const other = await say(room.id, w.tokens.admin, 'Yes', 'c-1');
    expect(other.status).toBe(201);
    const racing = await Promise.all([1, 2, 3].map(() => say(room.id, w.tokens.admin, 'Once', 'c-race')));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(racing.map((r) => r.body.id)).size).toBe(1);
    const [{ n }] = await t.sql<[{ n: number }]>`
      select count(*)::int as n from chat_messages where room_id = ${room.id} and client_id in ('c-1', 'c-race')`;
    expect(n).toBe(3);
    const [{ events }] = await t.sql<[{ events: number }]>`
      select count(*)::int as events from events where topic = ${`room:${room.id}`} and type = 'chat.message'`;
    expect(events).toBe(3);
  });

  it('pages history backwards with before and limit, each page oldest first', async () => {
    const res = await t.post('/tickets/', { project: w.projectId, title: 'History' }, { token: w.tokens.admin });
    const room = await roomOf(res.body.id, w.tokens.admin);
    const sent: number[] = [];
    for (let i = 1; i <= 7; i++) sent.push((await say(room.id, w.tokens.admin, `line ${i}`)).body.id);
    const newest = await t.get(`/chat/rooms/${room.id}/messages/?limit=3`, { token: w.tokens.manager });
    expect(newest.status).toBe(200);
    expect(newest.body.count).toBe(7);
    expect(newest.body.results.map((m: any) => m.body)).toEqual(['line 5', 'line 6', 'line 7']);
    expect(newest.body.next).toContain(`before=${sent[4]}`);
    // The room topic's seq the history was read at: a subscriber from it misses nothing.
    const [{ seq }] = await t.sql<[{ seq: number }]>`
      select seq::int from topic_seqs where topic = ${`room:${room.id}`}`;
    expect(newest.body.seq).toBe(seq);
    expect(seq).toBeGreaterThanOrEqual(7);
    const older = await t.get(
      new URL(newest.body.next).pathname.replace('/api/tickets', '') + new URL(newest.body.next).search,
      {
        token: w.tokens.manager,
      },
    );
    expect(older.body.results.map((m: any) => m.body)).toEqual(['line 2', 'line 3', 'line 4']);
    const oldest = await t.get(`/chat/rooms/${room.id}/messages/?limit=3&before=${sent[1]}`, {
      token: w.tokens.manager,
    });
    expect(oldest.body.results.map((m: any) => m.body)).toEqual(['line 1']);
    expect(oldest.body.next).toBeNull();
    for (const bad of ['?limit=0', '?limit=201', '?before=-1', '?limit=x']) {
      const r = await t.get(`/chat/rooms/${room.id}/messages/${bad}`, { token: w.tokens.manager });
      expect(r.status, bad).toBe(400);
    }
  });

  it('refuses blank and oversized messages and stores nothing', async () => {
    const room = await roomOf(w.otherTicket, w.tokens.admin);
    for (const bad of [
      { body: '  ' },
      { body: 'x'.repeat(10_001) },
      { body: 'x', client_id: '' },
      { body: 'x', room: 1 },
    ]) {
      const res = await t.post(`/chat/rooms/${room.id}/messages/`, bad, { token: w.tokens.admin });
      expect(res.status).toBe(400);
    }
    const history = await t.get(`/chat/rooms/${room.id}/messages/`, { token: w.tokens.admin });
    expect(history.body.count).toBe(0);
    expect(history.body.seq).toBe(0);
  });

  it("keeps company people out of other companies' rooms", async () => {
    const room = await roomOf(w.companyATicket, w.tokens.companyUser);
    expect((await say(room.id, w.tokens.companyAdmin, 'Our printer')).status).toBe(201);
    expect((await say(room.id, w.tokens.otherCompanyUser, 'Hi')).status).toBe(404);
    expect((await t.get(`/chat/rooms/${room.id}/messages/`, { token: w.tokens.otherCompanyUser })).status).toBe(404);
    expect((await t.get(`/chat/rooms/?ticket=${w.companyATicket}`, { token: w.tokens.otherCompanyUser })).status).toBe(
      404,
    );
  });
});

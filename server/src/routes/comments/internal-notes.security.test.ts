/**
 * Internal notes (issue 13 item 16, SPEC §4, decision 0037): a comment with `internal: true` is
 * for staff. Company people of the ticket's company never get one, nor a reply below one, by
 * REST (list, edit, delete, reply), by WebSocket (live or replayed), in the activity list or as
 * a notification; they cannot write one. Staff see both kinds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { expectStatus } from '../../../../test/routes.ts';
import { connectWs, listenRealtime } from '../../../../test/ws-client.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
let served: Awaited<ReturnType<typeof listenRealtime>>;

beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  served = await listenRealtime(t);
});
afterAll(async () => {
  await served.close();
  await t.close();
});

const connect = (token: string) => connectWs(`${served.base}/ws/`, { authorization: `Bearer ${token}` });

async function post(ticket: number, token: string, body: Record<string, unknown>) {
  return expectStatus(await t.post(`/tickets/${ticket}/comments/`, body, { token }), 201, 'comment').body;
}

describe('internal notes over REST', () => {
  it('staff write both kinds; the API default is visible; a reply below a note is internal', async () => {
    const ticket = w.companyATicket;
    const visible = await post(ticket, w.tokens.admin, { body: 'We are on it' });
    expect(visible.internal).toBe(false);
    const note = await post(ticket, w.tokens.user, { body: 'Customer is on the old firmware', internal: true });
    expect(note.internal).toBe(true);
    // Asked to be visible, a reply below a note is still a note.
    const reply = await post(ticket, w.tokens.admin, { body: 'Noted', parent: note.id, internal: false });
    expect(reply.internal).toBe(true);
    const staffList = await t.get(`/tickets/${ticket}/comments/`, { token: w.tokens.manager });
    const ids = staffList.body.results.map((c: { id: number }) => c.id);
    expect(ids).toEqual(expect.arrayContaining([visible.id, note.id, reply.id]));

    for (const token of [w.tokens.companyUser, w.tokens.companyAdmin]) {
      const list = await t.get(`/tickets/${ticket}/comments/`, { token });
      expect(list.status).toBe(200);
      const seen = list.body.results.map((c: { id: number }) => c.id);
      expect(seen).toContain(visible.id);
      expect(seen).not.toContain(note.id);
      expect(seen).not.toContain(reply.id);
      expect(list.body.results.every((c: { internal: boolean }) => !c.internal)).toBe(true);
      expect(JSON.stringify(list.body)).not.toContain('firmware');
    }
  });

  it('company people cannot write a note, reply below one, or edit or delete one (as if it did not exist)', async () => {
    const ticket = w.companyATicket;
    const refused = await t.post(
      `/tickets/${ticket}/comments/`,
      { body: 'Let me see', internal: true },
      { token: w.tokens.companyUser },
    );
    expect(refused.status).toBe(403);
    const note = await post(ticket, w.tokens.admin, { body: 'Staff only', internal: true });
    const reply = await t.post(
      `/tickets/${ticket}/comments/`,
      { body: 'Me too', parent: note.id },
      { token: w.tokens.companyUser },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.parent).toBeDefined();
    expect((await t.patch(`/comments/${note.id}/`, { body: 'x' }, { token: w.tokens.companyAdmin })).status).toBe(404);
    expect((await t.del(`/comments/${note.id}/`, { token: w.tokens.companyAdmin })).status).toBe(404);
    // Their own visible comments still work.
    const own = await post(ticket, w.tokens.companyUser, { body: 'Any news?' });
    expect(own.internal).toBe(false);
    expect(own.author).toBe(w.ids.companyUser);
  });

  it('a deleted visible comment whose only live reply is a note is no tombstone for the client', async () => {
    const ticket = w.companyATicket;
    const root = await post(ticket, w.tokens.admin, { body: 'Visible root', internal: false });
    await post(ticket, w.tokens.admin, { body: 'Hidden answer', parent: root.id, internal: true });
    expectStatus(await t.del(`/comments/${root.id}/`, { token: w.tokens.admin }), 204, 'delete');
    const staff = await t.get(`/tickets/${ticket}/comments/`, { token: w.tokens.admin });
    expect(staff.body.results.some((c: { id: number }) => c.id === root.id)).toBe(true);
    const client = await t.get(`/tickets/${ticket}/comments/`, { token: w.tokens.companyUser });
    expect(client.body.results.some((c: { id: number }) => c.id === root.id)).toBe(false);
  });

  it('the activity list leaves notes out for company people, and only staff are notified of one', async () => {
    const ticket = expectStatus(
      await t.post(
        '/tickets/',
        { project: w.projectId, title: 'Notify me', company: w.companyA, assignees: [w.ids.user] },
        { token: w.tokens.admin },
      ),
      201,
      'ticket',
    ).body.id as number;
    // The company user is mentioned in a note (and in a visible comment).
    const [cu] = await t.sql<{ username: string }[]>`select username from users where id = ${w.ids.companyUser}`;
    const note = await post(ticket, w.tokens.admin, { body: `Ask @${cu!.username} later`, internal: true });
    const visible = await post(ticket, w.tokens.admin, { body: `@${cu!.username} could you check?` });
    const heard = await t.sql<{ user_id: number; comment: number }[]>`
      select user_id, (data->>'comment')::int as comment from notifications where ticket_id = ${ticket}`;
    expect(heard).toContainEqual({ user_id: w.ids.user, comment: note.id });
    expect(heard).toContainEqual({ user_id: w.ids.companyUser, comment: visible.id });
    expect(heard).not.toContainEqual({ user_id: w.ids.companyUser, comment: note.id });

    const staff = await t.get(`/tickets/${ticket}/activity/`, { token: w.tokens.admin });
    const staffComments = staff.body.results.filter((a: { verb: string }) => a.verb === 'comment.created');
    expect(staffComments.map((a: { data: { comment: number } }) => a.data.comment).sort()).toEqual(
      [note.id, visible.id].sort(),
    );
    const client = await t.get(`/tickets/${ticket}/activity/`, { token: w.tokens.companyUser });
    const clientComments = client.body.results.filter((a: { verb: string }) => a.verb === 'comment.created');
    expect(clientComments.map((a: { data: { comment: number } }) => a.data.comment)).toEqual([visible.id]);
  });
});

describe('internal notes over WebSockets', () => {
  it('a company subscriber gets visible comments live and in replays, never a note', async () => {
    const topic = `project:${w.projectId}`;
    const client = await connect(w.tokens.companyUser);
    const staff = await connect(w.tokens.manager);
    for (const c of [client, staff]) {
      c.send({ type: 'subscribe', topic });
      await c.next((m) => m.type === 'subscribed');
    }
    const since = (await client.next((m) => m.type === 'subscribed')).seq as number;
    const note = await post(w.companyATicket, w.tokens.admin, { body: 'Secret diagnosis', internal: true });
    const visible = await post(w.companyATicket, w.tokens.admin, { body: 'Public answer' });
    expectStatus(
      await t.patch(`/comments/${note.id}/`, { body: 'Secret diagnosis, edited' }, { token: w.tokens.admin }),
      200,
      'edit',
    );
    expectStatus(await t.del(`/comments/${note.id}/`, { token: w.tokens.admin }), 204, 'delete');
    const other = await post(w.companyBTicket, w.tokens.admin, { body: 'Globex answer' });
    // Staff get all of it; the client the visible one, which arrived after the note.
    await staff.next((m) => m.type === 'comment.deleted' && m.data.id === note.id);
    await staff.next((m) => m.type === 'comment.created' && m.data.id === other.id);
    const live = await client.next((m) => m.type === 'comment.created' && m.data.id === visible.id);
    expect(live.data.internal).toBe(false);
    // A later ticket event on the client's stream proves the note's events would have arrived by now.
    const later = expectStatus(
      await t.post(
        '/tickets/',
        { project: w.projectId, title: 'After', company: w.companyA },
        { token: w.tokens.admin },
      ),
      201,
      'ticket',
    ).body;
    await client.next((m) => m.type === 'ticket.created' && m.data.id === later.id);

    const replay = await connect(w.tokens.companyUser);
    replay.send({ type: 'subscribe', topic, since });
    await replay.next((m) => m.type === 'subscribed');
    for (const c of [client, replay]) {
      const comments = c.messages.filter((m) => String(m.type).startsWith('comment.'));
      expect(comments.map((m) => m.data.id)).toEqual([visible.id]);
      expect(JSON.stringify(c.messages)).not.toContain('Secret diagnosis');
      expect(JSON.stringify(c.messages)).not.toContain('Globex answer');
    }
    expect(staff.messages.some((m) => m.type === 'comment.created' && m.data.id === note.id && m.data.internal)).toBe(
      true,
    );
    for (const c of [client, staff, replay]) c.ws.close();
  });
});

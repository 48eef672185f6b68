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

async function comment(ticket: number, token: string, body: string, parent?: number) {
  const res = await t.post(`/tickets/${ticket}/comments/`, { body, ...(parent ? { parent } : {}) }, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function newTicket(title: string) {
  const res = await t.post('/tickets/', { project: w.projectId, title }, { token: w.tokens.admin });
  expect(res.status).toBe(201);
  return res.body.id as number;
}

describe('threads', () => {
  it('comments and replies, listed oldest first with the comment shape', async () => {
    const ticket = await newTicket('Threaded');
    const root = await comment(ticket, w.tokens.user, 'Is the printer *really* on fire?');
    expect(root).toEqual({
      id: expect.any(Number),
      ticket,
      author: w.ids.user,
      parent: null,
      body: 'Is the printer *really* on fire?',
      internal: false,
      created_at: expect.any(String),
      edited_at: null,
      deleted: false,
    });
    const reply = await comment(ticket, w.tokens.admin, 'Yes.', root.id);
    expect(reply.parent).toBe(root.id);
    const nested = await comment(ticket, w.tokens.manager, 'Extinguisher is on its way', reply.id);
    expect(nested.parent).toBe(reply.id);
    const list = await t.get(`/tickets/${ticket}/comments/`, { token: w.tokens.manager });
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(3);
    expect(list.body.results.map((c: any) => c.id)).toEqual([root.id, reply.id, nested.id]);
  });

  it('stores Markdown as written and refuses blank, huge and unknown input', async () => {
    const body = '  # Heading\n\n- item with <b>html</b>\n\n';
    const ok = await comment(w.otherTicket, w.tokens.admin, body);
    expect(ok.body).toBe(body);
    for (const bad of [{ body: '   \n' }, { body: 'x'.repeat(20_001) }, { body: 'x', author: w.ids.user }, {}]) {
      const res = await t.post(`/tickets/${w.otherTicket}/comments/`, bad, { token: w.tokens.admin });
      expect(res.status, JSON.stringify(bad).slice(0, 40)).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
    const max = await t.post(
      `/tickets/${w.otherTicket}/comments/`,
      { body: 'y'.repeat(20_000) },
      { token: w.tokens.admin },
    );
    expect(max.status).toBe(201);
  });

  it('refuses a parent from another ticket, or one that does not exist', async () => {
    const a = await newTicket('Parent A');
    const b = await newTicket('Parent B');
    const onA = await comment(a, w.tokens.admin, 'On A');
    const cross = await t.post(`/tickets/${b}/comments/`, { body: 'Reply', parent: onA.id }, { token: w.tokens.admin });
    expect(cross.status).toBe(400);
    expect(cross.body.error.details.parent).toBeDefined();
    const missing = await t.post(
      `/tickets/${b}/comments/`,
      { body: 'Reply', parent: 999_999 },
      { token: w.tokens.admin },
    );
    expect(missing.status).toBe(400);
  });

  it('paginates', async () => {
    const ticket = await newTicket('Chatty');
    for (const n of [1, 2, 3]) await comment(ticket, w.tokens.admin, `Comment ${n}`);
    const first = await t.get(`/tickets/${ticket}/comments/?page_size=2`, { token: w.tokens.admin });
    expect(first.body.count).toBe(3);
    expect(first.body.results.map((c: any) => c.body)).toEqual(['Comment 1', 'Comment 2']);
    expect(first.body.next).toContain('page=2');
    const second = await t.get(`/tickets/${ticket}/comments/?page_size=2&page=2`, { token: w.tokens.admin });
    expect(second.body.results.map((c: any) => c.body)).toEqual(['Comment 3']);
  });
});

describe('edit and delete', () => {
  it('the author edits (edited_at is set); nobody else may, not even a superadmin', async () => {
    const own = await comment(w.userTicket, w.tokens.user, 'Typo hre');
    const edited = await t.patch(`/comments/${own.id}/`, { body: 'Typo here' }, { token: w.tokens.user });
    expect(edited.status).toBe(200);
    expect(edited.body.body).toBe('Typo here');
    expect(edited.body.edited_at).not.toBeNull();
    for (const other of ['admin', 'superadmin', 'manager'] as const) {
      const res = await t.patch(`/comments/${own.id}/`, { body: 'Hijacked' }, { token: w.tokens[other] });
      expect(res.status, other).toBe(403);
    }
    const blank = await t.patch(`/comments/${own.id}/`, { body: ' ' }, { token: w.tokens.user });
    expect(blank.status).toBe(400);
    const strict = await t.patch(`/comments/${own.id}/`, { body: 'x', parent: null }, { token: w.tokens.user });
    expect(strict.status).toBe(400);
  });

  it('authors and admins delete; managers and other users may not', async () => {
    const byUser = await comment(w.userTicket, w.tokens.user, 'Rude remark');
    const byAdmin = await comment(w.userTicket, w.tokens.admin, 'Admin note');
    expect((await t.del(`/comments/${byAdmin.id}/`, { token: w.tokens.user })).status).toBe(403);
    expect((await t.del(`/comments/${byUser.id}/`, { token: w.tokens.manager })).status).toBe(403);
    expect((await t.del(`/comments/${byUser.id}/`, { token: w.tokens.admin })).status).toBe(204);
    expect((await t.del(`/comments/${byAdmin.id}/`, { token: w.tokens.superadmin })).status).toBe(204);
    const own = await comment(w.userTicket, w.tokens.user, 'Never mind');
    expect((await t.del(`/comments/${own.id}/`, { token: w.tokens.user })).status).toBe(204);
    // Gone as far as changes go.
    expect((await t.del(`/comments/${own.id}/`, { token: w.tokens.user })).status).toBe(404);
    expect((await t.patch(`/comments/${own.id}/`, { body: 'back' }, { token: w.tokens.user })).status).toBe(404);
    const [row] = await t.sql<{ deleted_at: Date | null; body: string }[]>`
      select deleted_at, body from comments where id = ${own.id}`;
    expect(row!.deleted_at).not.toBeNull();
  });

  it('keeps a deleted comment with live replies as a tombstone and drops one without', async () => {
    const ticket = await newTicket('Tombstones');
    const root = await comment(ticket, w.tokens.user, 'Root');
    const middle = await comment(ticket, w.tokens.user, 'Middle', root.id);
    const leaf = await comment(ticket, w.tokens.admin, 'Leaf', middle.id);
    const lonely = await comment(ticket, w.tokens.user, 'Lonely');
    for (const c of [root, middle, lonely]) {
      expect((await t.del(`/comments/${c.id}/`, { token: w.tokens.user })).status).toBe(204);
    }
    const list = await t.get(`/tickets/${ticket}/comments/`, { token: w.tokens.admin });
    expect(list.body.count).toBe(3);
    expect(list.body.results.map((c: any) => [c.id, c.body, c.deleted])).toEqual([
      [root.id, '', true],
      [middle.id, '', true],
      [leaf.id, 'Leaf', false],
    ]);
    const replyToDeleted = await t.post(
      `/tickets/${ticket}/comments/`,
      { body: 'Reply', parent: root.id },
      { token: w.tokens.admin },
    );
    expect(replyToDeleted.status).toBe(400);
    // Once the last live reply goes, so does the whole dead branch.
    expect((await t.del(`/comments/${leaf.id}/`, { token: w.tokens.admin })).status).toBe(204);
    const empty = await t.get(`/tickets/${ticket}/comments/`, { token: w.tokens.admin });
    expect(empty.body.count).toBe(0);
  });

  it('records every change as activity and a board event', async () => {
    const ticket = await newTicket('Audited comments');
    const c = await comment(ticket, w.tokens.user, 'First');
    await t.patch(`/comments/${c.id}/`, { body: 'First!' }, { token: w.tokens.user });
    await t.del(`/comments/${c.id}/`, { token: w.tokens.admin });
    const rows = await t.sql<{ verb: string; actor_id: number; data: any }[]>`
      select verb, actor_id, data from activity where ticket_id = ${ticket} order by id`;
    expect(rows.map((r) => r.verb)).toEqual([
      'ticket.created',
      'comment.created',
      'comment.updated',
      'comment.deleted',
    ]);
    expect(rows[3]!.actor_id).toBe(w.ids.admin);
    expect(rows[1]!.data.comment).toBe(c.id);
    const events = await t.sql<{ type: string; payload: any }[]>`
      select type, payload from events where topic = ${`project:${w.projectId}`} and type like 'comment.%'
        and (payload->>'id')::int = ${c.id} order by seq`;
    expect(events.map((e) => e.type)).toEqual(['comment.created', 'comment.updated', 'comment.deleted']);
    expect(events[1]!.payload.body).toBe('First!');
    expect(events[2]!.payload).toMatchObject({ body: '', deleted: true });
  });
});

describe('security', () => {
  it('company people discuss their own company tickets only', async () => {
    const own = await comment(w.companyATicket, w.tokens.companyUser, 'Still broken');
    const admin = await comment(w.companyATicket, w.tokens.companyAdmin, 'Escalating', own.id);
    expect(admin.parent).toBe(own.id);
    const list = await t.get(`/tickets/${w.companyATicket}/comments/`, { token: w.tokens.companyUser });
    expect(list.status).toBe(200);
    expect(list.body.results.map((c: any) => c.id)).toEqual(expect.arrayContaining([own.id, admin.id]));
    for (const [token, ticket] of [
      [w.tokens.companyUser, w.companyBTicket],
      [w.tokens.otherCompanyUser, w.companyATicket],
      [w.tokens.companyUser, w.userTicket],
      [w.tokens.outsider, w.companyATicket],
    ] as const) {
      expect((await t.get(`/tickets/${ticket}/comments/`, { token })).status).toBe(404);
      expect((await t.post(`/tickets/${ticket}/comments/`, { body: 'Hi' }, { token })).status).toBe(404);
    }
    // Another company's people cannot probe, edit or delete a comment by id.
    const other = w.tokens.otherCompanyUser;
    expect((await t.patch(`/comments/${own.id}/`, { body: 'x' }, { token: other })).status).toBe(404);
    expect((await t.del(`/comments/${own.id}/`, { token: other })).status).toBe(404);
    // A company admin is not a project admin: no moderating.
    expect((await t.del(`/comments/${own.id}/`, { token: w.tokens.companyAdmin })).status).toBe(403);
  });

  it('needs a signed-in user and answers 404 for unknown tickets and comments', async () => {
    expect((await t.get(`/tickets/${w.userTicket}/comments/`)).status).toBe(401);
    expect((await t.post(`/tickets/${w.userTicket}/comments/`, { body: 'x' })).status).toBe(401);
    expect((await t.get('/tickets/999999/comments/', { token: w.tokens.superuser })).status).toBe(404);
    expect((await t.patch('/comments/999999/', { body: 'x' }, { token: w.tokens.superuser })).status).toBe(404);
    expect((await t.get('/tickets/abc/comments/', { token: w.tokens.superuser })).status).toBe(400);
  });

  it('managers (read-only on the board) may still comment', async () => {
    const res = await t.post(`/tickets/${w.otherTicket}/comments/`, { body: 'Noted' }, { token: w.tokens.manager });
    expect(res.status).toBe(201);
  });
});

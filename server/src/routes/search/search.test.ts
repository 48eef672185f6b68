import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';
import { COMMENT_DOCUMENT, MESSAGE_DOCUMENT, TICKET_DOCUMENT } from '../../services/search.ts';

let t: TestApp;
let w: World;
/** A second project with no companies and no members but its creator (superadmin). */
let secret: { id: number; ticket: number; key: string };

beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
  const project = await t.post('/projects/', { name: 'Skunkworks', key: 'SKW' }, { token: w.tokens.superadmin });
  const ticket = await t.post(
    '/tickets/',
    { project: project.body.id, title: 'Reactor coolant leak', description: 'Quarterly inspection' },
    { token: w.tokens.superadmin },
  );
  secret = { id: project.body.id, ticket: ticket.body.id, key: ticket.body.key };
  const su = { token: w.tokens.superadmin };
  await t.post(`/tickets/${secret.ticket}/comments/`, { body: 'Reactor vented at noon' }, su);
  const room = await t.get(`/chat/rooms/?ticket=${secret.ticket}`, su);
  await t.post(
    `/chat/rooms/${room.body.results[0].id}/messages/`,
    { body: 'Reactor is fine', client_id: 'secret-1' },
    su,
  );
});
afterAll(() => t.close());

interface Hit {
  type: string;
  id: number;
  ticket: number | null;
  key: string | null;
  title: string;
  snippet: string;
  rank: number;
}

async function find(token: string, q: string, extra = ''): Promise<Hit[]> {
  const res = await t.get(`/search/?q=${encodeURIComponent(q)}${extra}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.count).toBe(res.body.results.length);
  return res.body.results;
}

async function newTicket(title: string, description = '', token = w.tokens.admin, extra: Record<string, unknown> = {}) {
  const res = await t.post('/tickets/', { project: w.projectId, title, description, ...extra }, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; key: string };
}

const ticketIds = (hits: Hit[]) => hits.filter((h) => h.type === 'ticket').map((h) => h.id);

describe('GET /search/', () => {
  it('finds projects, tickets, comments and chat messages in one ranked list', async () => {
    const ticket = await newTicket('Projector flickers', 'The meeting room projector blinks every minute');
    const comment = await t.post(
      `/tickets/${ticket.id}/comments/`,
      { body: 'Swapped the projector cable' },
      { token: w.tokens.user },
    );
    const room = await t.get(`/chat/rooms/?ticket=${ticket.id}`, { token: w.tokens.admin });
    const message = await t.post(
      `/chat/rooms/${room.body.results[0].id}/messages/`,
      { body: 'Is the projector still blinking?', client_id: 'search-1' },
      { token: w.tokens.admin },
    );
    expect(message.status).toBe(201);

    const hits = await find(w.tokens.admin, 'projector');
    // The ticket (title and description) first; the comment and the message rank alike, newer first.
    expect(hits.map((h) => [h.type, h.id])).toEqual([
      ['ticket', ticket.id],
      ['message', message.body.id],
      ['comment', comment.body.id],
    ]);
    expect(hits[0]).toMatchObject({ key: ticket.key, title: 'Projector flickers', project_key: 'OPS' });
    expect(hits[1]).toMatchObject({ ticket: ticket.id, key: ticket.key, room: room.body.results[0].id });
    expect(hits[2]).toMatchObject({ ticket: ticket.id, key: ticket.key, snippet: 'Swapped the projector cable' });

    const projects = await find(w.tokens.admin, 'operat');
    expect(projects).toEqual([expect.objectContaining({ type: 'project', id: w.projectId, title: 'Operations' })]);
    // `type` narrows to one kind; pagination is the API's usual envelope.
    for (const type of ['ticket', 'comment', 'message']) {
      expect((await find(w.tokens.admin, 'projector', `&type=${type}`)).map((h) => h.type)).toEqual([type]);
    }
    expect((await find(w.tokens.admin, 'operations', '&type=project')).map((h) => h.id)).toEqual([w.projectId]);
    const page = await t.get('/search/?q=projector&page_size=1&page=2', { token: w.tokens.admin });
    expect(page.body).toMatchObject({ count: 3, results: [expect.objectContaining({ type: 'message' })] });
    expect(page.body.next).toContain('page=3');
  });

  it('matches every word as a prefix, ignoring case and accents both ways', async () => {
    const resume = await newTicket('Mon Résumé est prêt', 'Voilà le curriculum');
    const plain = await newTicket('Cafe opening hours');
    expect(ticketIds(await find(w.tokens.admin, 'resume'))).toEqual([resume.id]);
    expect(ticketIds(await find(w.tokens.admin, 'RÉSUMÉ pret'))).toEqual([resume.id]);
    expect(ticketIds(await find(w.tokens.admin, 'voila curric'))).toEqual([resume.id]);
    expect(ticketIds(await find(w.tokens.admin, 'café'))).toEqual([plain.id]);
    // Every word must match.
    expect(ticketIds(await find(w.tokens.admin, 'resume hours'))).toEqual([]);
  });

  it('finds a ticket by its key first, in any case', async () => {
    const target = await newTicket('Keyed ticket');
    const hits = await find(w.tokens.admin, target.key.toLowerCase());
    expect(hits[0]).toMatchObject({ type: 'ticket', id: target.id, key: target.key });
    expect(hits[0]!.rank).toBeGreaterThanOrEqual(100);
    // A project's key finds the project first.
    expect((await find(w.tokens.admin, 'ops'))[0]).toMatchObject({ type: 'project', id: w.projectId });
  });

  it('ranks a title match above a description match above a comment', async () => {
    const inComment = await newTicket('Unrelated one');
    await t.post(`/tickets/${inComment.id}/comments/`, { body: 'the zeppelin again' }, { token: w.tokens.admin });
    const inDescription = await newTicket('Unrelated two', 'A zeppelin landed on the roof');
    const inTitle = await newTicket('Zeppelin parking');
    const hits = await find(w.tokens.admin, 'zeppelin');
    expect(hits.map((h) => [h.type, h.ticket])).toEqual([
      ['ticket', inTitle.id],
      ['ticket', inDescription.id],
      ['comment', inComment.id],
    ]);
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
    expect(hits[1]!.rank).toBeGreaterThan(hits[2]!.rank);
  });

  it('searches the string values of custom fields', async () => {
    const field = await t.post(
      `/projects/${w.projectId}/fields/`,
      { name: 'Serial', type: 'text' },
      { token: w.tokens.superadmin },
    );
    expect(field.status).toBe(201);
    const ticket = await newTicket('Laptop', '', w.tokens.admin, { fields: { [field.body.id]: 'Sérial XK42Q' } });
    expect(ticketIds(await find(w.tokens.admin, 'xk42q'))).toEqual([ticket.id]);
  });
});

describe('GET /search/ respects every permission', () => {
  it("never shows company people another company's tickets, comments or chat", async () => {
    await t.post(
      `/tickets/${w.companyBTicket}/comments/`,
      { body: 'Globex password rotated' },
      { token: w.tokens.admin },
    );
    const room = await t.get(`/chat/rooms/?ticket=${w.companyBTicket}`, { token: w.tokens.admin });
    await t.post(
      `/chat/rooms/${room.body.results[0].id}/messages/`,
      { body: 'Globex password mailed', client_id: 'search-2' },
      { token: w.tokens.admin },
    );
    for (const q of ['globex', 'password', `OPS-${await numberOf(w.companyBTicket)}`]) {
      expect(await find(w.tokens.companyUser, q), q).toEqual([]);
      expect(await find(w.tokens.companyAdmin, q), q).toEqual([]);
    }
    // Company B's own user finds all three; staff do too.
    const theirs = await find(w.tokens.otherCompanyUser, 'globex password');
    expect(theirs.map((h) => h.type).sort()).toEqual(['comment', 'message']);
    expect(ticketIds(await find(w.tokens.otherCompanyUser, 'globex'))).toEqual([w.companyBTicket]);
    // Company A's user finds their own ticket.
    expect(ticketIds(await find(w.tokens.companyUser, 'acme printer'))).toEqual([w.companyATicket]);
  });

  it("never shows a project's tickets, or the project, to anyone who is not in it", async () => {
    for (const actor of ['user', 'admin', 'manager', 'companyUser', 'otherCompanyUser', 'outsider'] as const) {
      expect(await find(w.tokens[actor], 'reactor'), actor).toEqual([]);
      expect(await find(w.tokens[actor], 'skunkworks'), actor).toEqual([]);
      expect(await find(w.tokens[actor], secret.key), actor).toEqual([]);
    }
    expect((await find(w.tokens.superadmin, 'reactor')).map((h) => h.type)).toEqual(['ticket', 'message', 'comment']);
    expect(ticketIds(await find(w.tokens.superuser, 'reactor'))).toEqual([secret.ticket]);
    expect((await find(w.tokens.superadmin, 'skunk'))[0]).toMatchObject({ type: 'project', id: secret.id });
  });

  it("keeps a project-wide room's messages to the project's staff", async () => {
    const [room] = await t.sql<{ id: number }[]>`
      insert into chat_rooms (project_id, name) values (${w.projectId}, 'Staff lounge') returning id`;
    await t.sql`insert into chat_messages (room_id, author_id, body) values (${room!.id}, ${w.ids.admin}, 'Budget freeze announced')`;
    const staff = await find(w.tokens.user, 'budget freeze');
    expect(staff).toEqual([
      expect.objectContaining({ type: 'message', room: room!.id, ticket: null, title: 'Staff lounge' }),
    ]);
    for (const actor of ['companyAdmin', 'companyUser', 'otherCompanyUser', 'outsider'] as const) {
      expect(await find(w.tokens[actor], 'budget'), actor).toEqual([]);
    }
  });

  it('keeps internal notes and their replies to staff: company people never find them', async () => {
    const ticket = await newTicket('Acme badge reader', '', w.tokens.admin, { company: w.companyA });
    const staff = { token: w.tokens.admin };
    const note = await t.post(
      `/tickets/${ticket.id}/comments/`,
      { body: 'Dirigible budget note', internal: true },
      staff,
    );
    expect(note.status).toBe(201);
    const reply = await t.post(
      `/tickets/${ticket.id}/comments/`,
      { body: 'Dirigible reply', parent: note.body.id },
      staff,
    );
    expect(reply.status).toBe(201);
    const visible = await t.post(
      `/tickets/${ticket.id}/comments/`,
      { body: 'Dirigible visible', internal: false },
      staff,
    );
    expect(visible.status).toBe(201);
    const comments = (hits: Hit[]) =>
      hits
        .filter((h) => h.type === 'comment')
        .map((h) => h.id)
        .sort();
    expect(comments(await find(w.tokens.manager, 'dirigible'))).toEqual(
      [note.body.id, reply.body.id, visible.body.id].sort(),
    );
    expect(comments(await find(w.tokens.companyUser, 'dirigible'))).toEqual([visible.body.id]);
    expect(comments(await find(w.tokens.companyAdmin, 'dirigible budget'))).toEqual([]);
  });

  it('leaves deleted comments out', async () => {
    const ticket = await newTicket('Deleted words');
    const comment = await t.post(
      `/tickets/${ticket.id}/comments/`,
      { body: 'ephemeral remark' },
      { token: w.tokens.admin },
    );
    expect(await find(w.tokens.admin, 'ephemeral')).toHaveLength(1);
    await t.del(`/comments/${comment.body.id}/`, { token: w.tokens.admin });
    expect(await find(w.tokens.admin, 'ephemeral')).toEqual([]);
  });
});

describe('GET /search/ bad input', () => {
  it('refuses a missing, blank, too long or unknown-type query', async () => {
    for (const query of ['', '?q=', '?q=%20%20', `?q=${'a'.repeat(201)}`, '?q=printer&type=user', '?q=x&page_size=0']) {
      const res = await t.get(`/search/${query}`, { token: w.tokens.admin });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
    expect((await t.get('/search/?q=printer')).status).toBe(401);
  });

  it('treats tsquery syntax and punctuation as nothing to match, not as an error', async () => {
    for (const q of ["!!! & | ( ) :* '", "printer' | !", '\\', 'a:*B & !c']) {
      const res = await t.get(`/search/?q=${encodeURIComponent(q)}`, { token: w.tokens.admin });
      expect(res.status, q).toBe(200);
    }
    expect(await find(w.tokens.admin, '!!! ???')).toEqual([]);
    expect(ticketIds(await find(w.tokens.admin, "acme' | printer!"))).toEqual([w.companyATicket]);
  });
});

describe('search indexes', () => {
  it('are the ones the queries use', async () => {
    const db = t.runtime.deps.db;
    const plans = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const q = sql`to_tsquery('laneway_search'::regconfig, 'x:*')`;
      const plan = async (query: ReturnType<typeof sql>) =>
        (await tx.execute<{ 'QUERY PLAN': string }>(sql`explain ${query}`)).map((r) => r['QUERY PLAN']).join('\n');
      return [
        await plan(sql`select 1 from tickets where ${TICKET_DOCUMENT} @@ ${q}`),
        await plan(sql`select 1 from comments c where ${COMMENT_DOCUMENT} @@ ${q}`),
        await plan(sql`select 1 from chat_messages m where ${MESSAGE_DOCUMENT} @@ ${q}`),
      ];
    });
    expect(plans[0]).toContain('tickets_search_idx');
    expect(plans[1]).toContain('comments_search_idx');
    expect(plans[2]).toContain('chat_messages_search_idx');
  });
});

async function numberOf(ticketId: number): Promise<number> {
  const [row] = await t.sql<{ number: number }[]>`select number from tickets where id = ${ticketId}`;
  return row!.number;
}

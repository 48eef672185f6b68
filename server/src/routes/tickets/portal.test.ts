/**
 * The portal's ticket abilities (issue 13 item 14, decision 0038): a client closes and reopens
 * their own ticket through the one move path, and `waiting=true` lists the tickets where
 * support answered last.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { expectStatus } from '../../../../test/routes.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await createTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

async function clientTicket(title: string, token = w.tokens.companyUser): Promise<any> {
  return expectStatus(await t.post('/tickets/', { project: w.projectId, title }, { token }), 201, 'ticket').body;
}

async function say(ticket: number, token: string, body: string): Promise<void> {
  const room = expectStatus(await t.get(`/chat/rooms/?ticket=${ticket}`, { token }), 200, 'room').body;
  const id = room.results?.[0]?.id ?? room.id;
  expectStatus(await t.post(`/chat/rooms/${id}/messages/`, { body }, { token }), 201, 'message');
}

async function waitingIds(token: string): Promise<number[]> {
  const res = expectStatus(await t.get('/tickets/?waiting=true&page_size=200', { token }), 200, 'waiting');
  return res.body.results.map((x: { id: number }) => x.id);
}

describe('close and reopen', () => {
  it('the reporting client closes into the first done column and reopens into the first open one, as moves', async () => {
    const ticket = await clientTicket('Close me');
    const done = w.columns.find((c) => c.category === 'done')!;
    const open = w.columns.find((c) => c.category !== 'done')!;
    const closed = expectStatus(
      await t.post(`/tickets/${ticket.id}/close/`, undefined, { token: w.tokens.companyUser }),
      200,
      'close',
    ).body;
    expect(closed).toMatchObject({ status: 'done', column: done.id, version: ticket.version + 1 });
    expect(closed.done_at).not.toBeNull();
    // Closing a closed ticket changes nothing.
    const again = expectStatus(
      await t.post(`/tickets/${ticket.id}/close/`, undefined, { token: w.tokens.companyUser }),
      200,
      'close again',
    ).body;
    expect(again.version).toBe(closed.version);
    const reopened = expectStatus(
      await t.post(`/tickets/${ticket.id}/reopen/`, undefined, { token: w.tokens.companyUser }),
      200,
      'reopen',
    ).body;
    expect(reopened).toMatchObject({ column: open.id, done_at: null });
    expect(reopened.status).not.toBe('done');
    const moves = await t.sql<{ data: { from_column: number; to_column: number } }[]>`
      select data from activity where ticket_id = ${ticket.id} and verb = 'ticket.moved' order by id`;
    expect(moves.map((m) => [m.data.from_column, m.data.to_column])).toEqual([
      [ticket.column, done.id],
      [done.id, open.id],
    ]);
  });

  it('another person of the company may not (403) unless they are its contact; other companies get 404', async () => {
    const ticket = await clientTicket('Not yours');
    const refused = await t.post(`/tickets/${ticket.id}/close/`, undefined, { token: w.tokens.companyAdmin });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/reporter or the contact/);
    expect((await t.post(`/tickets/${ticket.id}/close/`, undefined, { token: w.tokens.otherCompanyUser })).status).toBe(
      404,
    );
    // The company admin becomes the ticket's contact (by address): now they may.
    const [admin] = await t.sql<{ email: string }[]>`select email from users where id = ${w.ids.companyAdmin}`;
    const contact = expectStatus(
      await t.post(
        '/contacts/',
        { name: 'Admin as contact', email: admin!.email.toUpperCase(), company: w.companyA },
        { token: w.tokens.superuser },
      ),
      201,
      'contact',
    ).body;
    expectStatus(
      await t.patch(`/tickets/${ticket.id}/`, { contact: contact.id }, { token: w.tokens.admin }),
      200,
      'set contact',
    );
    expectStatus(
      await t.post(`/tickets/${ticket.id}/close/`, undefined, { token: w.tokens.companyAdmin }),
      200,
      'close',
    );
  });
});

describe('waiting for you', () => {
  it('support answered last (chat or visible comment): waiting; the client answers, an internal note, or closing: not', async () => {
    const ticket = await clientTicket('Help please');
    expect(await waitingIds(w.tokens.companyUser)).not.toContain(ticket.id);
    await say(ticket.id, w.tokens.admin, 'Have you tried turning it off and on?');
    expect(await waitingIds(w.tokens.companyUser)).toContain(ticket.id);
    await say(ticket.id, w.tokens.companyUser, 'Yes');
    expect(await waitingIds(w.tokens.companyUser)).not.toContain(ticket.id);
    // An internal note is not an answer the client can see.
    expectStatus(
      await t.post(
        `/tickets/${ticket.id}/comments/`,
        { body: 'Try firmware', internal: true },
        { token: w.tokens.admin },
      ),
      201,
      'note',
    );
    expect(await waitingIds(w.tokens.companyUser)).not.toContain(ticket.id);
    expectStatus(
      await t.post(
        `/tickets/${ticket.id}/comments/`,
        { body: 'Please update the firmware' },
        { token: w.tokens.admin },
      ),
      201,
      'comment',
    );
    expect(await waitingIds(w.tokens.companyUser)).toContain(ticket.id);
    const notWaiting = expectStatus(
      await t.get('/tickets/?waiting=false&page_size=200', { token: w.tokens.companyUser }),
      200,
      'not waiting',
    );
    expect(notWaiting.body.results.map((x: { id: number }) => x.id)).not.toContain(ticket.id);
    expectStatus(
      await t.post(`/tickets/${ticket.id}/close/`, undefined, { token: w.tokens.companyUser }),
      200,
      'close',
    );
    expect(await waitingIds(w.tokens.companyUser)).not.toContain(ticket.id);
    // Another company never sees it, waiting or not.
    expect(await waitingIds(w.tokens.otherCompanyUser)).not.toContain(ticket.id);
  });
});

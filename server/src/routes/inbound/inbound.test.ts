/** `POST /api/inbound/email/{token}` (SPEC §13): pushed mail goes the way of polled mail. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.ts';
import { buildWorld, type World } from '../../../../test/world.ts';

let t: TestApp;
let w: World;
let token: string;
let mailbox: number;

const raw = (id: string, extra = '') =>
  [
    'From: Ada <ada@client.example>',
    'To: support@acme.example',
    `Subject: Pushed ${id}`,
    `Message-ID: <${id}@client.example>`,
    extra,
    '',
    'Hello by push.',
    '',
  ]
    .filter((l, i) => l !== '' || i > 4)
    .join('\r\n');

const push = (tok: string, body: string | Uint8Array, type = 'message/rfc822') =>
  t.request('POST', `//api/inbound/email/${tok}`, { body, headers: { 'content-type': type } });

beforeAll(async () => {
  t = await createTestApp({ MAIL_MAX_MB: '1' });
  w = await buildWorld(t);
  const res = await t.post(
    `/projects/${w.projectId}/mailboxes/`,
    { address: 'support@acme.example', imap: { host: '127.0.0.1', port: 9, tls: false, username: 'u', password: 'p' } },
    { token: w.tokens.superadmin },
  );
  token = res.body.inbound_token;
  mailbox = res.body.id;
});
afterAll(() => t?.close());

describe('inbound push', () => {
  it('imports a pushed message once, with no session (the token is the credential)', async () => {
    const first = await push(token, raw('p1'));
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      outcome: 'imported',
      message_id: '<p1@client.example>',
      ticket: expect.any(Number),
    });
    const ticket = await t.get(`/tickets/${first.body.ticket}/`, { token: w.tokens.admin });
    expect(ticket.body).toMatchObject({ title: 'Pushed p1', source: 'email' });
    const again = await push(token, raw('p1'));
    expect(again.body).toMatchObject({ outcome: 'duplicate', ticket: null });
  });

  it('answers 404 to a wrong token and to an inactive mailbox (pushing into a mailbox needs its token)', async () => {
    expect((await push(`${token.slice(0, -1)}x`, raw('p2'))).status).toBe(404);
    await t.patch(`/mailboxes/${mailbox}/`, { is_active: false }, { token: w.tokens.superadmin });
    expect((await push(token, raw('p3'))).status).toBe(404);
    await t.patch(`/mailboxes/${mailbox}/`, { is_active: true }, { token: w.tokens.superadmin });
    const [n] = await t.sql`select count(*)::int as n from tickets where title in ('Pushed p2', 'Pushed p3')`;
    expect(n!.n).toBe(0);
  });

  it('refuses another content type (415), an oversized body (413), and logs an auto-reply as ignored', async () => {
    expect((await push(token, raw('p4'), 'text/plain')).status).toBe(415);
    const big = await push(token, `${raw('p5')}${'x'.repeat(1.2 * 1024 * 1024)}`);
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const auto = await push(token, raw('p6', 'Auto-Submitted: auto-replied'));
    expect(auto.body).toMatchObject({ outcome: 'ignored', reason: 'Auto-Submitted: auto-replied' });
  });
});

/**
 * Replies both ways (SPEC §13), with a real Dovecot, a real SMTP sink and a running worker:
 * a staff chat message reaches the contact threaded and with a signed reply address; the
 * contact's reply comes back into the room; nobody else's does, and comments are never mailed.
 */
import { mailboxes } from '@laneway/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import { startDovecot, type Dovecot } from '../../test/peers/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../../test/peers/smtp.ts';
import { buildWorld, type World } from '../../test/world.ts';
import { readReplyToken } from '../../server/src/mail/reply-address.ts';
import type { MailboxRow } from '../../server/src/services/mailboxes.ts';
import { closeMailTransports } from './mail.ts';
import { pollMailbox } from './mail-poll.ts';
import { startWorker, type RunningWorker } from './worker.ts';

let t: TestApp;
let w: World;
let imap: Dovecot;
let smtp: SmtpSink;
let worker: RunningWorker;
let box: MailboxRow;
let user: string;
let n = 0;

function mail(o: {
  from?: string;
  to?: string;
  subject?: string;
  inReplyTo?: string;
  text: string;
  attachment?: { filename: string; content: Buffer };
}): string {
  const head = [
    `From: ${o.from ?? 'Ada Lovelace <ada@client.example>'}`,
    `To: ${o.to ?? 'support@acme.example'}`,
    `Subject: ${o.subject ?? 'Printer on fire'}`,
    `Message-ID: <r${++n}.${Date.now()}@client.example>`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'MIME-Version: 1.0',
  ];
  if (!o.attachment) return [...head, 'Content-Type: text/plain; charset=utf-8', '', o.text, ''].join('\r\n');
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b0undary"',
    '',
    '--b0undary',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.text,
    '--b0undary',
    `Content-Type: application/octet-stream; name="${o.attachment.filename}"`,
    `Content-Disposition: attachment; filename="${o.attachment.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    o.attachment.content.toString('base64'),
    '--b0undary--',
    '',
  ].join('\r\n');
}

/** A 1×1 PNG, sent as `application/octet-stream`: the stored type must come from sniffing. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const poll = () => pollMailbox(t.runtime.deps, box);

/** A ticket opened by mail from Ada, and its room. */
async function mailedTicket(subject: string): Promise<{ ticket: any; room: number; firstId: string }> {
  const raw = mail({ subject, text: 'It is on fire.' });
  await imap.append(user, 'INBOX', raw);
  expect(await poll()).toMatchObject({ imported: 1 });
  const [row] = await t.sql`select t.id from tickets t where t.title = ${subject}`;
  const ticket = (await t.get(`/tickets/${row!.id}/`, { token: w.tokens.admin })).body;
  const rooms = await t.get(`/chat/rooms/?ticket=${ticket.id}`, { token: w.tokens.admin });
  const firstId = /^Message-ID: (.+)$/m.exec(raw)![1]!.trim();
  return { ticket, room: rooms.body.results[0].id, firstId };
}

const say = (room: number, body: string) =>
  t.post(`/chat/rooms/${room}/messages/`, { body }, { token: w.tokens.admin });

beforeAll(async () => {
  imap = await startDovecot();
  smtp = await startSmtpSink();
  t = await createTestApp({ SMTP_URL: smtp.url, WORKER_MODE: 'off' });
  w = await buildWorld(t);
  await t.patch(`/users/${w.ids.admin}/`, { name: 'Grace Admin' }, { token: w.tokens.superuser });
  user = imap.users[0]!.user;
  const res = await t.post(
    `/projects/${w.projectId}/mailboxes/`,
    {
      address: 'support@acme.example',
      imap: { host: imap.host, port: imap.port, tls: false, username: user, password: imap.users[0]!.password },
    },
    { token: w.tokens.superadmin },
  );
  [box] = (await t.runtime.deps.db.select().from(mailboxes).where(eq(mailboxes.id, res.body.id))) as [MailboxRow];
  worker = await startWorker(t.runtime.deps, { crontab: null, concurrency: 2, pollInterval: 200 });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  closeMailTransports();
  await t?.close();
  await smtp?.stop();
  await imap?.stop();
});

describe('replies both ways', () => {
  it('mails a staff chat message to the contact with Message-ID, In-Reply-To, References and a signed reply address', async () => {
    const { ticket, room, firstId } = await mailedTicket('Scanner jammed');
    const sent = await say(room, 'Have you tried turning it off and on again?');
    expect(sent.status).toBe(201);
    const out = await smtp.waitFor((m) => m.subject?.includes(ticket.key) ?? false);
    expect(out.envelope.rcptTo).toEqual(['ada@client.example']);
    expect(out.from?.value[0]).toMatchObject({ address: 'support@acme.example', name: 'Grace Admin' });
    expect(out.subject).toBe(`Re: Scanner jammed [${ticket.key}]`);
    expect(out.text?.trim()).toBe('Have you tried turning it off and on again?');
    expect(out.inReplyTo).toBe(firstId);
    expect([out.references].flat()).toEqual([firstId]);
    expect(out.messageId).toMatch(/^<laneway\.\d+\.[\w-]+@acme\.example>$/);
    const replyTo = out.replyTo!.value[0]!.address!;
    expect(replyTo).toMatch(/^support\+\d+\.\d+\.[0-9a-f]{20}@acme\.example$/);
    expect(readReplyToken(t.runtime.deps.secrets, replyTo)).toEqual({ ticketId: ticket.id, contactId: ticket.contact });
    const [stored] = await t.sql`select email_message_id from chat_messages where id = ${sent.body.id}`;
    expect(stored!.email_message_id).toBe(out.messageId);
  });

  it("appends the contact's reply (by its token) to the room, quoted history and signature trimmed", async () => {
    const { ticket, room } = await mailedTicket('Monitor flickers');
    await say(room, 'Which model is it?');
    const out = await smtp.waitFor((m) => m.subject?.includes(ticket.key) ?? false);
    const reply = mail({
      to: out.replyTo!.value[0]!.address!,
      subject: `Re: ${out.subject}`,
      text: [
        'It is the Dell U2720Q.',
        '',
        '--',
        'Ada Lovelace',
        'Analytical Engines Ltd.',
        '',
        'On Mon, Dec 7, 2026 at 9:00 AM Grace Admin <support@acme.example> wrote:',
        '> Which model is it?',
      ].join('\r\n'),
    });
    await imap.append(user, 'INBOX', reply);
    expect(await poll()).toMatchObject({ appended: 1, imported: 0 });
    const messages = await t.get(`/chat/rooms/${room}/messages/`, { token: w.tokens.admin });
    const last = messages.body.results.at(-1);
    expect(last).toMatchObject({ author: null, contact: ticket.contact, via: 'email', body: 'It is the Dell U2720Q.' });
    const log = await t.get(`/mailboxes/${box.id}/log/`, { token: w.tokens.superadmin });
    expect(log.body.results[0]).toMatchObject({ outcome: 'appended', ticket: ticket.id });
  });

  it("tells the assignees of a contact's reply, naming the contact (a reply by mail is not missed)", async () => {
    const { ticket, room } = await mailedTicket('Toner empty');
    const assigned = await t.patch(
      `/tickets/${ticket.id}/`,
      { assignees: [w.ids.user], version: ticket.version },
      { token: w.tokens.admin },
    );
    expect(assigned.status).toBe(200);
    await say(room, 'Which colour?');
    const out = await smtp.waitFor((m) => m.subject?.includes(ticket.key) ?? false);
    // The agent's message told the assignee already: read it, so the reply is news again.
    await t.post('/notifications/read-all/', {}, { token: w.tokens.user });
    await imap.append(
      user,
      'INBOX',
      mail({
        to: out.replyTo!.value[0]!.address!,
        subject: `Re: ${out.subject}`,
        text: 'Cyan. @admin can you order it?',
      }),
    );
    expect(await poll()).toMatchObject({ appended: 1 });
    const heard = await t.get('/notifications/?unread=true', { token: w.tokens.user });
    expect(heard.body.results).toEqual([
      expect.objectContaining({
        kind: 'chat',
        ticket: ticket.id,
        actor: null,
        data: expect.objectContaining({
          contact_name: 'Ada Lovelace',
          via: 'email',
          ticket_key: ticket.key,
          excerpt: 'Cyan. @admin can you order it?',
          room,
        }),
      }),
    ]);
    // A mention in the mail reaches the one mentioned, though not involved in the ticket.
    const mentioned = await t.get('/notifications/?unread=true', { token: w.tokens.admin });
    expect(mentioned.body.results.filter((n: any) => n.ticket === ticket.id)).toEqual([
      expect.objectContaining({ kind: 'mentioned', actor: null }),
    ]);
  });

  it("keeps a reply's attachments on the ticket, through the upload path (sniffed type)", async () => {
    const { ticket, room } = await mailedTicket('Screen cracked');
    await say(room, 'Can you send a photo?');
    const out = await smtp.waitFor((m) => m.subject?.includes(ticket.key) ?? false);
    await imap.append(
      user,
      'INBOX',
      mail({
        to: out.replyTo!.value[0]!.address!,
        subject: `Re: ${out.subject}`,
        text: 'Here it is.',
        attachment: { filename: 'crack.png', content: PNG },
      }),
    );
    expect(await poll()).toMatchObject({ appended: 1 });
    const messages = await t.get(`/chat/rooms/${room}/messages/`, { token: w.tokens.admin });
    expect(messages.body.results.at(-1)).toMatchObject({ via: 'email', body: 'Here it is.' });
    const files = await t.get(`/tickets/${ticket.id}/attachments/`, { token: w.tokens.admin });
    expect(files.body.results).toEqual([
      expect.objectContaining({ filename: 'crack.png', content_type: 'image/png', size: PNG.length }),
    ]);
  });

  it('appends a reply matched by In-Reply-To alone (a client that dropped the reply address)', async () => {
    const { ticket, room } = await mailedTicket('Mouse missing');
    await say(room, 'Did you look under the desk?');
    const out = await smtp.waitFor((m) => m.subject?.includes(ticket.key) ?? false);
    await imap.append(user, 'INBOX', mail({ inReplyTo: out.messageId!, subject: 'Re: mouse', text: 'Found it.' }));
    expect(await poll()).toMatchObject({ appended: 1 });
    const messages = await t.get(`/chat/rooms/${room}/messages/`, { token: w.tokens.admin });
    expect(messages.body.results.at(-1)).toMatchObject({ via: 'email', body: 'Found it.' });
  });

  it('never posts a reply from another sender as the contact (a spoofed reply with a stolen token)', async () => {
    const { ticket, room } = await mailedTicket('Keyboard sticky');
    await say(room, 'Coffee?');
    const out = await smtp.waitFor((m) => m.subject?.includes(ticket.key) ?? false);
    const replyTo = out.replyTo!.value[0]!.address!;
    await imap.append(
      user,
      'INBOX',
      mail({ from: 'Mallory <mallory@evil.example>', to: replyTo, inReplyTo: out.messageId!, text: 'Close it.' }),
    );
    // A forged token with Ada as the sender: the HMAC does not match.
    const forged = replyTo.replace(
      /\.([0-9a-f]{20})@/,
      (_, mac: string) => `.${mac.slice(0, 19)}${mac.endsWith('0') ? '1' : '0'}@`,
    );
    await imap.append(user, 'INBOX', mail({ to: forged, subject: 'Forged', text: 'Forged token.' }));
    const counts = await poll();
    expect(counts.appended).toBe(0);
    const messages = await t.get(`/chat/rooms/${room}/messages/`, { token: w.tokens.admin });
    expect(messages.body.results.filter((m: any) => m.via === 'email')).toEqual([]);
    // Mailbox accepts anyone: each became a new ticket of its own sender instead.
    const fresh =
      await t.sql`select title, contact_id from tickets where source = 'email' and id > ${ticket.id} order by id`;
    expect(fresh.map((r) => r.title)).toEqual(['Printer on fire', 'Forged']);
    expect(fresh[0]!.contact_id).not.toBe(ticket.contact);
  });

  it('never mails a comment: comments are internal notes', async () => {
    const { ticket } = await mailedTicket('Cable frayed');
    const comment = await t.post(
      `/tickets/${ticket.id}/comments/`,
      { body: 'Internal: order a new cable' },
      { token: w.tokens.admin },
    );
    expect(comment.status).toBe(201);
    // A chat message after it: once its mail is here, the comment had every chance to be mailed.
    const { room } = {
      room: (await t.get(`/chat/rooms/?ticket=${ticket.id}`, { token: w.tokens.admin })).body.results[0].id,
    };
    await say(room, 'A new cable is on its way.');
    await smtp.waitFor((m) => m.text?.includes('A new cable is on its way.') ?? false);
    expect(smtp.messages.filter((m) => m.text?.includes('order a new cable'))).toEqual([]);
  });
});

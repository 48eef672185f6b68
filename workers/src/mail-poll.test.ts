/**
 * Mail intake against a real Dovecot (SPEC §13): mail becomes exactly one ticket however often
 * and by however many workers it is read, unwelcome mail is logged and left alone, and one bad
 * message never stops the mailbox.
 */
import { mailboxes } from '@laneway/db/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.ts';
import { startDovecot, type Dovecot } from '../../test/peers/dovecot.ts';
import { buildWorld, type World } from '../../test/world.ts';
import { importMail } from '../../server/src/services/mail-intake.ts';
import type { MailboxRow } from '../../server/src/services/mailboxes.ts';
import { HANDLED_FLAG, intakeLimits, pollMailbox } from './mail-poll.ts';

let t: TestApp;
let w: World;
let imap: Dovecot;
let n = 0;

/** A 1×1 PNG, sent as `application/octet-stream`: the stored type must come from sniffing. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

interface MailOptions {
  from?: string;
  subject?: string;
  messageId?: string;
  headers?: string[];
  text?: string;
  html?: string;
  attachment?: { filename: string; content: Buffer };
}

/** An RFC 5322 message with CRLF line ends. */
function mail(o: MailOptions = {}): string {
  const id = o.messageId ?? `<m${++n}.${Date.now()}@client.example>`;
  const head = [
    `From: ${o.from ?? 'Ada Lovelace <ada@client.example>'}`,
    'To: support@acme.example',
    `Subject: ${o.subject ?? 'Printer on fire'}`,
    `Message-ID: ${id}`,
    'Date: Mon, 07 Dec 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    ...(o.headers ?? []),
  ];
  const bodyType = o.html !== undefined ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
  const body = o.html ?? o.text ?? 'It is on fire.\r\nPlease help.';
  if (!o.attachment) return [...head, `Content-Type: ${bodyType}`, '', body, ''].join('\r\n');
  const b = 'b0undary';
  return [
    ...head,
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    `Content-Type: ${bodyType}`,
    '',
    body,
    `--${b}`,
    `Content-Type: application/octet-stream; name="${o.attachment.filename}"`,
    `Content-Disposition: attachment; filename="${o.attachment.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    o.attachment.content.toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${b}--`,
    '',
  ].join('\r\n');
}

/** A fresh Dovecot account and a mailbox of the world's project reading it. */
async function freshMailbox(extra: Record<string, unknown> = {}): Promise<{ box: MailboxRow; user: string }> {
  const user = `desk${++n}`;
  const account = await imap.addUser(user);
  const res = await t.post(
    `/projects/${w.projectId}/mailboxes/`,
    {
      address: `${user}@acme.example`,
      imap: { host: imap.host, port: imap.port, tls: false, username: user, password: account.password },
      ...extra,
    },
    { token: w.tokens.superadmin },
  );
  expect(res.status).toBe(201);
  const [box] = await t.runtime.deps.db.select().from(mailboxes).where(eq(mailboxes.id, res.body.id));
  return { box: box!, user };
}

const poll = (box: MailboxRow) => pollMailbox(t.runtime.deps, box);
const ticketsOf = (box: MailboxRow) =>
  t.sql`select t.* from tickets t join mail_messages m on m.ticket_id = t.id where m.mailbox_id = ${box.id} order by t.id`;
const logOf = (box: MailboxRow) =>
  t.sql`select message_id, outcome, reason, sender from mail_messages where mailbox_id = ${box.id} order by id`;

beforeAll(async () => {
  imap = await startDovecot();
  t = await createTestApp();
  w = await buildWorld(t);
  // Client's domain belongs to company A: new senders from it become company A's contacts.
  await t.patch(`/companies/${w.companyA}/`, { domains: ['client.example'] }, { token: w.tokens.superuser });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await imap?.stop();
});
beforeEach(async () => {
  n += 100;
  // A project has at most 10 mailboxes; each test makes its own.
  await t.sql`delete from mailboxes where project_id = ${w.projectId}`;
});

describe('mail intake', () => {
  it('turns a new mail into one ticket with its contact, company and attachment, then flags and moves it', async () => {
    const { box, user } = await freshMailbox();
    await imap.append(user, 'INBOX', mail({ attachment: { filename: 'pixel.png', content: PNG } }));
    const counts = await poll(box);
    expect(counts).toMatchObject({ imported: 1, failed: 0 });

    const [ticket] = await ticketsOf(box);
    expect(ticket).toMatchObject({ title: 'Printer on fire', source: 'email', reporter_id: null });
    expect(ticket!.description).toContain('It is on fire.');
    const [contact] = await t.sql`select * from contacts where id = ${ticket!.contact_id}`;
    expect(contact).toMatchObject({ name: 'Ada Lovelace', email: 'ada@client.example', company_id: w.companyA });
    expect(ticket!.company_id).toBe(w.companyA);
    const api = await t.get(`/tickets/${ticket!.id}/`, { token: w.tokens.admin });
    expect(api.body.source).toBe('email');
    const files = await t.get(`/tickets/${ticket!.id}/attachments/`, { token: w.tokens.admin });
    expect(files.body.results).toEqual([
      expect.objectContaining({ filename: 'pixel.png', content_type: 'image/png', size: PNG.length }),
    ]);
    const [activity] =
      await t.sql`select verb, actor_id from activity where ticket_id = ${ticket!.id} order by id limit 1`;
    expect(activity).toEqual({ verb: 'ticket.created', actor_id: null });

    expect(await imap.list(user, 'INBOX')).toEqual([]);
    const moved = await imap.list(user, 'Laneway/Imported');
    expect(moved).toHaveLength(1);
    expect(moved[0]!.flags).toEqual(expect.arrayContaining(['\\Seen', HANDLED_FLAG]));
    expect(await logOf(box)).toEqual([expect.objectContaining({ outcome: 'imported', sender: 'ada@client.example' })]);
  });

  it('makes one ticket of one mail seen twice (the same Message-ID delivered again)', async () => {
    const { box, user } = await freshMailbox();
    const raw = mail();
    await imap.append(user, 'INBOX', raw);
    await imap.append(user, 'INBOX', raw);
    expect(await poll(box)).toMatchObject({ imported: 1, duplicate: 1 });
    await imap.append(user, 'INBOX', raw);
    expect(await poll(box)).toMatchObject({ imported: 0, duplicate: 1 });
    expect(await ticketsOf(box)).toHaveLength(1);
    expect(await imap.list(user, 'Laneway/Imported')).toHaveLength(3);
  });

  it('makes one ticket when a worker died between the commit and the flag (the message is read again)', async () => {
    const { box, user } = await freshMailbox();
    const raw = mail();
    await imap.append(user, 'INBOX', raw);
    // What the dead worker did: the ticket committed, the message neither flagged nor moved.
    const first = await importMail(
      t.runtime.deps.db,
      intakeLimits(t.runtime.deps.config, t.runtime.deps.secrets),
      box,
      Buffer.from(raw),
    );
    expect(first.outcome).toBe('imported');
    expect(await imap.list(user, 'INBOX')).toHaveLength(1);
    expect(await poll(box)).toMatchObject({ imported: 0, duplicate: 1 });
    expect(await ticketsOf(box)).toHaveLength(1);
    expect(await imap.list(user, 'INBOX')).toEqual([]);
    expect(await imap.list(user, 'Laneway/Imported')).toHaveLength(1);
  });

  it('makes one ticket per mail when two workers read one mailbox at once', async () => {
    const { box, user } = await freshMailbox();
    for (let i = 0; i < 5; i++) await imap.append(user, 'INBOX', mail({ subject: `Parallel ${i}` }));
    await Promise.all([poll(box), poll(box), poll(box)]);
    const tickets = await ticketsOf(box);
    expect(tickets.map((r) => r.title).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `Parallel ${i}`));
    expect(await imap.list(user, 'INBOX')).toEqual([]);
  });

  it('flags and moves every imported mail when there are more than one batch of them', async () => {
    const { box, user } = await freshMailbox();
    for (let i = 0; i < 120; i++)
      await imap.append(user, 'INBOX', mail({ subject: `Batch ${i}`, from: `c${i}@x.example` }));
    expect(await poll(box)).toMatchObject({ imported: 120, failed: 0 });
    expect(await ticketsOf(box)).toHaveLength(120);
    expect(await imap.list(user, 'INBOX')).toEqual([]);
    const moved = await imap.list(user, 'Laneway/Imported');
    expect(moved).toHaveLength(120);
    expect(moved.every((m) => m.flags.includes('\\Seen') && m.flags.includes(HANDLED_FLAG))).toBe(true);
  }, 60_000);

  it('ignores and logs an auto-reply, a bounce and a bulk mail (no mail loops)', async () => {
    const { box, user } = await freshMailbox();
    await imap.append(user, 'INBOX', mail({ subject: 'Out of office', headers: ['Auto-Submitted: auto-replied'] }));
    await imap.append(
      user,
      'INBOX',
      mail({ from: 'Mail Delivery System <MAILER-DAEMON@mx.client.example>', subject: 'Undelivered Mail' }),
    );
    await imap.append(user, 'INBOX', mail({ subject: 'Newsletter', headers: ['Precedence: bulk'] }));
    await imap.append(user, 'INBOX', mail({ subject: 'Vacation', headers: ['X-Autoreply: yes'] }));
    expect(await poll(box)).toMatchObject({ imported: 0, ignored: 4 });
    expect(await ticketsOf(box)).toHaveLength(0);
    expect((await logOf(box)).map((r) => [r.outcome, r.reason])).toEqual([
      ['ignored', 'Auto-Submitted: auto-replied'],
      ['ignored', 'Sender mailer-daemon: a bounce'],
      ['ignored', 'Precedence: bulk'],
      ['ignored', 'Auto-reply header'],
    ]);
  });

  it('turns an HTML-only mail with a script into inert Markdown (stored XSS by mail)', async () => {
    const { box, user } = await freshMailbox();
    const html =
      '<html><head><style>p{color:red}</style><script>alert("head")</script></head><body>' +
      '<h1>Broken</h1><p>The <b>printer</b> is <a href="https://acme.example/kb">down</a>.</p>' +
      '<script>alert(document.cookie)</script><img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>' +
      '<ul><li>one</li><li>two</li></ul></body></html>';
    await imap.append(user, 'INBOX', mail({ html }));
    await poll(box);
    const [ticket] = await ticketsOf(box);
    const md = ticket!.description as string;
    expect(md).toContain('# Broken');
    expect(md).toContain('**printer**');
    expect(md).toContain('[down](https://acme.example/kb)');
    expect(md).toMatch(/-\s+one/);
    for (const bad of ['<script', 'alert', 'onerror', '<iframe', 'color:red']) expect(md).not.toContain(bad);
  });

  it('refuses a 30 MB mail without stopping the mailbox: the next mail still imports', async () => {
    const { box, user } = await freshMailbox();
    const big = mail({
      subject: 'Huge',
      attachment: { filename: 'big.bin', content: Buffer.alloc(23 * 1024 * 1024, 7) },
    });
    expect(big.length).toBeGreaterThan(30 * 1024 * 1024);
    await imap.append(user, 'INBOX', big);
    await imap.append(user, 'INBOX', mail({ subject: 'Small' }));
    expect(await poll(box)).toMatchObject({ imported: 1, refused: 1, failed: 0 });
    expect((await ticketsOf(box)).map((r) => r.title)).toEqual(['Small']);
    const log = await logOf(box);
    expect(log[0]).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^Too large: 3\d\.\d MB/) });
  }, 60_000);

  it('refuses a malformed mail and logs why, and imports the next', async () => {
    const { box } = await freshMailbox();
    const limits = intakeLimits(t.runtime.deps.config, t.runtime.deps.secrets);
    const garbage = Buffer.from('\0\0\0 not a mail at all');
    const result = await importMail(t.runtime.deps.db, limits, box, garbage);
    expect(result.outcome).toBe('refused');
    const ok = await importMail(t.runtime.deps.db, limits, box, Buffer.from(mail({ subject: 'After garbage' })));
    expect(ok.outcome).toBe('imported');
  });

  it('refuses unknown senders when the mailbox accepts contacts only, and unknown domains for company_domains', async () => {
    const contactsOnly = await freshMailbox({ accept_from: 'contacts' });
    await imap.append(contactsOnly.user, 'INBOX', mail({ from: 'stranger@nowhere.example' }));
    expect(await poll(contactsOnly.box)).toMatchObject({ imported: 0, refused: 1 });
    const domains = await freshMailbox({ accept_from: 'company_domains' });
    await imap.append(domains.user, 'INBOX', mail({ from: 'stranger@nowhere.example' }));
    await imap.append(domains.user, 'INBOX', mail({ from: 'bob@client.example', subject: 'From a company domain' }));
    expect(await poll(domains.box)).toMatchObject({ imported: 1, refused: 1 });
    expect((await logOf(domains.box)).map((r) => r.reason)).toEqual(["The sender's domain belongs to no company", '']);
  });

  it('opens at most MAIL_MAX_PER_SENDER_PER_HOUR tickets per sender (a mail flood)', async () => {
    const { box } = await freshMailbox();
    const limits = { ...intakeLimits(t.runtime.deps.config, t.runtime.deps.secrets), maxPerSenderPerHour: 2 };
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        (await importMail(t.runtime.deps.db, limits, box, Buffer.from(mail({ from: 'flood@x.example' })))).outcome,
      );
    }
    expect(outcomes).toEqual(['imported', 'imported', 'refused', 'refused']);
  });

  it("records the server's refusal on the mailbox and goes on (a wrong password)", async () => {
    const { box } = await freshMailbox();
    await t.patch(`/mailboxes/${box.id}/`, { imap: { password: 'wrong' } }, { token: w.tokens.superadmin });
    const [changed] = await t.runtime.deps.db.select().from(mailboxes).where(eq(mailboxes.id, box.id));
    await poll(changed!);
    const res = await t.get(`/projects/${w.projectId}/mailboxes/`, { token: w.tokens.superadmin });
    const listed = res.body.results.find((m: any) => m.id === box.id);
    expect(listed.last_error).toMatch(/authentication failed/i);
    expect(listed.last_polled_at).not.toBeNull();
  });
});

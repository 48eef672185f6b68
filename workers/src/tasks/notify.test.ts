import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/peers/smtp.ts';
import { buildWorld, type World } from '../../../test/world.ts';
import { closeMailTransports } from '../mail.ts';
import { startWorker } from '../worker.ts';

/** Recipients answered `550` at RCPT TO (a permanent refusal). */
const refused = new Set<string>();
/** While set, every message is answered `451` after DATA (a temporary failure). */
let failData = false;

/** Quoted-printable to text (RFC 2045 §6.7): soft line breaks, then `=XX` bytes, as UTF-8. */
function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  // Unfolding (RFC 5322 §2.2.3): a line break followed by whitespace continues the header.
  for (const line of raw
    .slice(0, end)
    .replace(/\r\n(?=[ \t])/g, '')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
}

/** The headers and the decoded text and HTML parts of a multipart/alternative message. */
function parseMessage(raw: string) {
  const { headers, body } = splitHead(raw);
  const boundary = /boundary="([^"]+)"/.exec(headers.get('content-type') ?? '')?.[1];
  expect(headers.get('content-type')).toMatch(/^multipart\/alternative;/);
  const parts: Record<string, string> = {};
  for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
    const part = splitHead(chunk.replace(/^\r\n/, '').replace(/\r\n$/, ''));
    const type = part.headers.get('content-type')!.split(';')[0]!;
    const encoding = part.headers.get('content-transfer-encoding') ?? '7bit';
    const decoded =
      encoding === 'quoted-printable'
        ? decodeQuotedPrintable(part.body)
        : encoding === 'base64'
          ? Buffer.from(part.body, 'base64').toString('utf8')
          : part.body;
    // Mail travels with CRLF line ends; the renderer wrote LF.
    parts[type] = decoded.replace(/\r\n/g, '\n');
  }
  return { headers, text: parts['text/plain'], html: parts['text/html'] };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A new ticket in the world's project, by `admin`. */
async function ticket(t: TestApp, w: World, title: string, assignees: number[]) {
  const res = await t.post('/tickets/', { project: w.projectId, title, assignees }, { token: w.tokens.admin });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; key: string };
}

const unsent = async (t: TestApp, ticketId?: number) => {
  const [{ n }] = await t.sql<[{ n: number }]>`
    select count(*)::int as n from notifications
    where emailed_at is null and (${ticketId ?? null}::int is null or ticket_id = ${ticketId ?? null})`;
  return n;
};
const pendingJobs = async (t: TestApp) => {
  const [{ n }] = await t.sql<[{ n: number }]>`
    select count(*)::int as n from graphile_worker.jobs where task_identifier = 'notify'`;
  return n;
};

let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink({
    onRcptTo: (address) => (refused.has(address) ? { code: 550, message: 'no such mailbox' } : undefined),
    onData: () => (failData ? { code: 451, message: 'try again later' } : undefined),
  });
});
afterAll(async () => {
  closeMailTransports();
  await smtp.stop();
});

describe('with SMTP_URL', () => {
  let t: TestApp;
  let w: World;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  beforeAll(async () => {
    t = await createTestApp({
      SMTP_URL: smtp.url,
      NOTIFICATION_EMAIL_DELAY_SECONDS: '1',
      WORKER_MODE: 'off',
    });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await worker?.stop();
    await t.close();
  });

  it('sends each user one digest after the delay, escaped, never to the actor nor for what was read', async () => {
    smtp.clear();
    const started = Date.now();
    const tk = await ticket(t, w, 'Printer <b>& on fire', [w.ids.user, w.ids.manager]);
    const comment = await t.post(
      `/tickets/${tk.id}/comments/`,
      { body: '@user look: <script>alert(1)</script>' },
      { token: w.tokens.admin },
    );
    expect(comment.status).toBe(201);
    // The manager (assigned, then "commented") reads everything in the app first.
    expect((await t.post('/notifications/read-all/', undefined, { token: w.tokens.manager })).body).toEqual({
      updated: 2,
    });
    expect(await unsent(t)).toBe(4);
    expect(await pendingJobs(t)).toBe(2);

    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    await until('every notification handled', async () => (await unsent(t)) === 0 && (await pendingJobs(t)) === 0);
    await worker.stop();
    worker = undefined;

    expect(smtp.messages.map((m) => m.envelope.rcptTo)).toEqual([['user@example.com']]);
    const [mail] = smtp.messages;
    // The first notification waited for NOTIFICATION_EMAIL_DELAY_SECONDS and took the comment along.
    expect(mail!.receivedAt - started).toBeGreaterThanOrEqual(1_000);
    const { headers, text, html } = parseMessage(mail!.raw);
    expect(headers.get('to')).toBe('user <user@example.com>');
    expect(headers.get('from')).toBe('Laneway <laneway@localhost>');
    expect(headers.get('subject')).toBe(`[Laneway] 2 updates: ${tk.key} Printer <b>& on fire`);
    expect(headers.get('auto-submitted')).toBe('auto-generated');
    const link = `http://laneway.test/tickets/${tk.id}`;
    expect(text).toContain(`- admin assigned you to ${tk.key} Printer <b>& on fire\n  ${link}\n`);
    expect(text).toContain(
      `- admin mentioned you on ${tk.key} Printer <b>& on fire\n  > @user look: <script>alert(1)</script>\n  ${link}\n`,
    );
    expect(html).toContain(`<a href="${link}">${tk.key} Printer &lt;b&gt;&amp; on fire</a>`);
    expect(html).toContain('@user look: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<b>/);
  });

  it('releases the notifications when sending fails, and the retry sends them', async () => {
    smtp.clear();
    failData = true;
    const tk = await ticket(t, w, 'Flaky mail', [w.ids.user]);
    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    try {
      const [job] = await until('a failed attempt', async () => {
        const jobs = await t.sql<{ attempts: number; last_error: string | null }[]>`
          select attempts, last_error from graphile_worker.jobs
          where task_identifier = 'notify' and last_error is not null`;
        return jobs.length ? jobs : undefined;
      });
      expect(job!.attempts).toBe(1);
      expect(job!.last_error).toMatch(/try again later/);
      expect(await unsent(t, tk.id)).toBe(1);
      expect(smtp.messages).toEqual([]);
      failData = false;
      // graphile-worker's backoff: the second attempt comes about e¹ ≈ 2.7 s after the first.
      await until('the retry', async () => smtp.messages.length > 0 && (await unsent(t, tk.id)) === 0);
    } finally {
      failData = false;
      await worker.stop();
      worker = undefined;
    }
    expect(smtp.messages.map((m) => m.envelope.rcptTo)).toEqual([['user@example.com']]);
    expect(parseMessage(smtp.messages[0]!.raw).headers.get('subject')).toBe(
      `[Laneway] admin assigned you to ${tk.key} Flaky mail`,
    );
  });

  it('does not retry an address the server refuses for good', async () => {
    smtp.clear();
    refused.add('manager@example.com');
    const tk = await ticket(t, w, 'Nobody home', [w.ids.manager]);
    worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    try {
      await until('the job done', async () => (await unsent(t, tk.id)) === 0 && (await pendingJobs(t)) === 0);
    } finally {
      refused.clear();
      await worker.stop();
      worker = undefined;
    }
    expect(smtp.messages).toEqual([]);
  });
});

describe('with SMTP_URL: preferences and clients (issue 13 items 14, 15)', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await createTestApp({ SMTP_URL: smtp.url, NOTIFICATION_EMAIL_DELAY_SECONDS: '1', WORKER_MODE: 'off' });
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  it("honours each kind's channel: none stores nothing, in_app is not mailed, email is", async () => {
    smtp.clear();
    const prefs = await t.patch(
      '/notifications/preferences/',
      { preferences: { assigned: 'in_app', commented: 'none' } },
      { token: w.tokens.user },
    );
    expect(prefs.status, JSON.stringify(prefs.body)).toBe(200);
    expect(prefs.body).toEqual({
      preferences: {
        assigned: 'in_app',
        mentioned: 'email',
        commented: 'none',
        chat: 'email',
        done: 'email',
        webhook_disabled: 'email',
        sla_breached: 'email',
      },
      mail_configured: true,
    });
    const tk = await ticket(t, w, 'Quiet please', [w.ids.user]);
    expect(
      (await t.post(`/tickets/${tk.id}/comments/`, { body: 'A plain comment' }, { token: w.tokens.admin })).status,
    ).toBe(201);
    const kinds = await t.sql<{ kind: string }[]>`
      select kind from notifications where ticket_id = ${tk.id} and user_id = ${w.ids.user} order by id`;
    expect(kinds.map((k) => k.kind)).toEqual(['assigned']);
    const worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    try {
      await until('handled', async () => (await unsent(t, tk.id)) === 0 && (await pendingJobs(t)) === 0);
      expect(smtp.messages).toEqual([]);
      // A mention is still mailed (its channel is the default).
      expect(
        (await t.post(`/tickets/${tk.id}/comments/`, { body: '@user please look' }, { token: w.tokens.admin })).status,
      ).toBe(201);
      await until('the mention mailed', async () => smtp.messages.length > 0 && (await unsent(t, tk.id)) === 0);
    } finally {
      await worker.stop();
    }
    expect(smtp.messages.map((m) => m.envelope.rcptTo)).toEqual([['user@example.com']]);
    expect(parseMessage(smtp.messages[0]!.raw).headers.get('subject')).toContain('admin mentioned you');
    // Back to the default.
    const reset = await t.patch(
      '/notifications/preferences/',
      { preferences: { assigned: 'email' } },
      { token: w.tokens.user },
    );
    expect(reset.body.preferences.assigned).toBe('email');
    expect((await t.get('/notifications/preferences/', { token: w.tokens.user })).body.preferences.commented).toBe(
      'none',
    );
  });

  it('mails the reporting client when an agent answers in the chat, without a mailbox', async () => {
    smtp.clear();
    const room = (await t.get(`/chat/rooms/?ticket=${w.companyATicket}`, { token: w.tokens.admin })).body;
    const roomId = room.results?.[0]?.id ?? room.id;
    const sent = await t.post(`/chat/rooms/${roomId}/messages/`, { body: 'We are on it' }, { token: w.tokens.admin });
    expect(sent.status).toBe(201);
    const worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    try {
      await until('mailed', async () => smtp.messages.length > 0 && (await unsent(t, w.companyATicket)) === 0);
    } finally {
      await worker.stop();
    }
    expect(smtp.messages.map((m) => m.envelope.rcptTo)).toEqual([['companyUser@example.com']]);
    expect(parseMessage(smtp.messages[0]!.raw).text).toContain('We are on it');
  });

  it("does not mail the client twice when the answer was mailed to them as the ticket's contact", async () => {
    smtp.clear();
    const admin = { token: w.tokens.superadmin };
    const box = await t.post(
      `/projects/${w.projectId}/mailboxes/`,
      {
        address: 'support@acme.example',
        imap: { host: '127.0.0.1', port: 9, tls: false, username: 'helpdesk', password: 'a password' },
      },
      admin,
    );
    expect(box.status, JSON.stringify(box.body)).toBe(201);
    const contact = await t.post(
      '/contacts/',
      { name: 'Company user', email: 'companyUser@example.com', company: w.companyA },
      { token: w.tokens.superuser },
    );
    expect(contact.status).toBe(201);
    const tk = await t.post(
      '/tickets/',
      { project: w.projectId, title: 'By mail too' },
      { token: w.tokens.companyUser },
    );
    expect((await t.patch(`/tickets/${tk.body.id}/`, { contact: contact.body.id }, admin)).status).toBe(200);
    const room = (await t.get(`/chat/rooms/?ticket=${tk.body.id}`, admin)).body;
    const roomId = room.results?.[0]?.id ?? room.id;
    expect((await t.post(`/chat/rooms/${roomId}/messages/`, { body: 'Fixed it' }, admin)).status).toBe(201);
    const worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    try {
      await until('all sent', async () => {
        const [{ n }] = await t.sql<[{ n: number }]>`
          select count(*)::int as n from graphile_worker.jobs where task_identifier in ('notify', 'mail_chat_message')`;
        return smtp.messages.length > 0 && (await unsent(t, tk.body.id)) === 0 && n === 0;
      });
    } finally {
      await worker.stop();
    }
    // One mail: the chat message itself, threaded, from the mailbox; no digest repeating it.
    expect(smtp.messages.map((m) => m.envelope.rcptTo)).toEqual([['companyUser@example.com']]);
    const raw = smtp.messages[0]!.raw;
    expect(raw).toContain('Fixed it');
    expect(splitHead(raw).headers.get('from')).toContain('support@acme.example');
  });
});

describe('without SMTP_URL', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await createTestApp({ NOTIFICATION_EMAIL_DELAY_SECONDS: '60', WORKER_MODE: 'off' });
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  it('marks the notifications emailed at once and sends nothing', async () => {
    smtp.clear();
    const tk = await ticket(t, w, 'Quiet', [w.ids.user, w.ids.manager]);
    expect(await unsent(t, tk.id)).toBe(2);
    const worker = await startWorker(t.runtime.deps, { concurrency: 1, pollInterval: 100, crontab: null });
    try {
      // Well within the 60 s delay: with nothing to send there is nothing to wait for.
      await until('the jobs done', async () => (await unsent(t, tk.id)) === 0 && (await pendingJobs(t)) === 0, 5_000);
    } finally {
      await worker.stop();
    }
    expect(smtp.messages).toEqual([]);
  });
});

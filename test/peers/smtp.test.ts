import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from './smtp.ts';

describe('SMTP sink test peer', () => {
  let smtp: SmtpSink;
  const refused = new Set<string>();
  let failData = false;
  beforeAll(async () => {
    const started = Date.now();
    smtp = await startSmtpSink({
      onRcptTo: (address) => (refused.has(address) ? { code: 550, message: 'no such mailbox' } : undefined),
      onData: () => (failData ? { code: 451, message: 'try again later' } : undefined),
    });
    console.info(`SMTP sink up in ${Date.now() - started} ms`);
  });
  afterAll(() => smtp?.stop());

  const transport = () => createTransport(smtp.url);

  it('receives a message sent with nodemailer, parsed with its attachments and kept raw', async () => {
    expect(smtp.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const pdf = Buffer.from('%PDF-1.4\n% not really a PDF\n');
    const info = await transport().sendMail({
      from: 'Laneway <laneway@example.test>',
      to: 'Client <client@example.com>',
      cc: 'boss@example.com',
      subject: 'Re: [OPS-7] Printer on fire — ça brûle',
      text: 'We are on it.\n\n> quoted',
      html: '<p>We are <b>on it</b>.</p>',
      messageId: '<reply-1@laneway.example.test>',
      inReplyTo: '<client-1@example.com>',
      references: ['<client-1@example.com>'],
      headers: { 'Auto-Submitted': 'auto-replied' },
      attachments: [
        { filename: 'report.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'notes.txt', content: 'line one\nline two\n' },
      ],
    });
    expect(info.accepted).toEqual(['client@example.com', 'boss@example.com']);

    const mail = await smtp.waitFor((m) => m.messageId === '<reply-1@laneway.example.test>');
    expect(mail.envelope).toEqual({
      mailFrom: 'laneway@example.test',
      rcptTo: ['client@example.com', 'boss@example.com'],
    });
    expect(mail.subject).toBe('Re: [OPS-7] Printer on fire — ça brûle');
    expect(mail.from?.value).toEqual([{ name: 'Laneway', address: 'laneway@example.test' }]);
    expect(mail.inReplyTo).toBe('<client-1@example.com>');
    expect(mail.references).toBe('<client-1@example.com>');
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.text?.trim()).toBe('We are on it.\n\n> quoted');
    expect(mail.html).toBe('<p>We are <b>on it</b>.</p>');
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ['report.pdf', 'application/pdf', pdf.length],
      ['notes.txt', 'text/plain', 18],
    ]);
    expect(mail.attachments[0]!.content.equals(pdf)).toBe(true);
    expect(mail.raw).toMatch(/^Content-Type: multipart\/mixed;/m);
    expect(mail.raw).toContain('\r\n');
  });

  it('waits for a message still to come, and times out naming what it saw', async () => {
    smtp.clear();
    expect(smtp.messages).toEqual([]);
    const waiting = smtp.waitFor((m) => m.subject === 'Later', 5_000);
    await transport().sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'Later', text: 'x' });
    expect((await waiting).envelope.rcptTo).toEqual(['b@example.test']);
    await expect(smtp.waitFor((m) => m.subject === 'Never', 200)).rejects.toThrow(
      /no matching mail within 200 ms \(received: "Later"\)/,
    );
  });

  it('refuses a recipient for good, or a message for now, when a hook says so', async () => {
    smtp.clear();
    refused.add('gone@example.test');
    try {
      await expect(
        transport().sendMail({ from: 'a@example.test', to: 'gone@example.test', subject: 'x', text: 'x' }),
      ).rejects.toMatchObject({ responseCode: 550 });
    } finally {
      refused.clear();
    }
    failData = true;
    try {
      await expect(
        transport().sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'x', text: 'x' }),
      ).rejects.toMatchObject({ responseCode: 451, response: expect.stringMatching(/try again later/) });
    } finally {
      failData = false;
    }
    expect(smtp.messages).toEqual([]);
  });
});

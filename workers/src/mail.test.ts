import { createTransport } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { DIGEST_MAX_ITEMS, escapeHtml, headerText, renderDigest, type DigestItem } from './mail.ts';

const ticket = { ticket_key: 'OPS-7', title: 'Printer <b>& on fire', project: 1 };
const items: DigestItem[] = [
  { kind: 'assigned', ticketId: 7, actorName: 'Ann <img src=x onerror=alert(1)>', data: ticket },
  {
    kind: 'mentioned',
    ticketId: 7,
    actorName: 'Bob',
    data: { ...ticket, comment: 3, excerpt: 'look <script>alert(1)</script>\nsecond "line"' },
  },
  { kind: 'done', ticketId: 9, actorName: null, data: { ticket_key: 'OPS-9', title: 'Toner', project: 1 } },
];

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(escapeHtml('plain text, é…')).toBe('plain text, é…');
  });
});

describe('headerText', () => {
  it('leaves no line break, control character or line separator, and caps the length', () => {
    const out = headerText('a\r\nBcc: evil@example.com\u2028b\u0000c\t\td', 200);
    expect(out).toBe('a Bcc: evil@example.com b c d');
    const long = headerText('x'.repeat(500), 150);
    expect(Array.from(long)).toHaveLength(150);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('renderDigest', () => {
  const mail = renderDigest(items, { recipientName: 'Cat <i>', publicUrl: 'http://laneway.test/' });

  it('names the count and the tickets in the subject', () => {
    expect(mail.subject).toBe('[Laneway] 3 updates: OPS-7 Printer <b>& on fire, OPS-9 Toner');
    const one = renderDigest(items.slice(0, 1), { recipientName: 'Cat' });
    expect(one.subject).toBe('[Laneway] Ann <img src=x onerror=alert(1)> assigned you to OPS-7 Printer <b>& on fire');
  });

  it('escapes every user-controlled string in the HTML part', () => {
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;<br>second &quot;line&quot;');
    expect(mail.html).toContain('<strong>Ann &lt;img src=x onerror=alert(1)&gt;</strong>');
    expect(mail.html).toContain('<a href="http://laneway.test/tickets/7">OPS-7 Printer &lt;b&gt;&amp; on fire</a>');
    expect(mail.html).toContain('Hello Cat &lt;i&gt;,');
    expect(mail.html).not.toMatch(/<script|<img|<b>|<i>/);
  });

  it('names the contact of a reply by mail, which has no actor user, and escapes the name', () => {
    const reply = renderDigest(
      [
        {
          kind: 'chat',
          ticketId: 7,
          actorName: null,
          data: { ticket_key: 'OPS-7', title: 'Printer', contact_name: 'Ada <b>Lovelace</b>', via: 'email' },
        },
      ],
      { recipientName: 'Cat' },
    );
    expect(reply.subject).toBe('[Laneway] Ada <b>Lovelace</b> (by email) wrote in the chat of OPS-7 Printer');
    expect(reply.html).toContain('<strong>Ada &lt;b&gt;Lovelace&lt;/b&gt; (by email)</strong>');
  });

  it('writes the same facts as plain text, with links', () => {
    expect(mail.text).toContain('- Ann <img src=x onerror=alert(1)> assigned you to OPS-7 Printer <b>& on fire\n');
    expect(mail.text).toContain(
      '- Bob mentioned you on OPS-7 Printer <b>& on fire\n  > look <script>alert(1)</script>\n  > second "line"\n  http://laneway.test/tickets/7\n',
    );
    expect(mail.text).toContain('- Someone moved OPS-9 Toner to done\n  http://laneway.test/tickets/9\n');
  });

  it('links nothing without PUBLIC_URL', () => {
    const plain = renderDigest(items, { recipientName: 'Cat' });
    expect(plain.html).not.toContain('<a ');
    expect(plain.text).not.toContain('http');
  });

  it('keeps a title with line breaks on one line everywhere', () => {
    const evil = renderDigest(
      [{ kind: 'assigned', ticketId: 1, actorName: 'A\r\nB', data: { ticket_key: 'OPS-1', title: 'x\r\nBcc: v@x' } }],
      { recipientName: 'C' },
    );
    expect(evil.subject).toBe('[Laneway] A B assigned you to OPS-1 x Bcc: v@x');
    expect(evil.text).toContain('- A B assigned you to OPS-1 x Bcc: v@x\n');
  });

  it('spells out at most DIGEST_MAX_ITEMS and counts the rest', () => {
    const many = Array.from({ length: DIGEST_MAX_ITEMS + 5 }, (_, i) => ({ ...items[0]!, ticketId: i }));
    const digest = renderDigest(many, { recipientName: 'C' });
    expect(digest.text.match(/^- /gm)).toHaveLength(DIGEST_MAX_ITEMS);
    expect(digest.text).toContain('…and 5 more.');
    expect(digest.subject.startsWith(`[Laneway] ${DIGEST_MAX_ITEMS + 5} updates: OPS-7`)).toBe(true);
    expect(Array.from(digest.subject).length).toBeLessThanOrEqual(150);
  });

  it('cannot add a header through a title, once nodemailer has written the message', async () => {
    const evil = renderDigest(
      [{ kind: 'assigned', ticketId: 1, actorName: 'A', data: { ticket_key: 'OPS-1', title: 'x\r\nBcc: v@x' } }],
      { recipientName: 'C' },
    );
    const transport = createTransport({ streamTransport: true, buffer: true });
    const info = await transport.sendMail({ from: 'a@x', to: 'b@x', subject: evil.subject, text: evil.text });
    const head = (info.message as Buffer).toString('utf8').split('\r\n\r\n')[0]!;
    expect(head).not.toMatch(/^bcc:/im);
    expect(info.envelope.to).toEqual(['b@x']);
  });
});

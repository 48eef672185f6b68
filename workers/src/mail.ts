/**
 * Email: the SMTP transport and the rendering of a notification digest.
 *
 * Rendering is pure (no I/O, no clock), so it is tested on its own. Everything a user typed
 * (titles, comment excerpts, names) reaches the HTML part only through `escapeHtml`, and the
 * subject only through `headerText`, which removes line breaks: a title cannot add headers.
 */
import type * as nodemailer from 'nodemailer';
import type { NotificationKind } from '../../server/src/schemas/notifications.ts';

/** One notification as the digest shows it; `data` is the stored notification's `data`. */
export interface DigestItem {
  kind: NotificationKind;
  ticketId: number | null;
  /** The actor's display name; null when there was none (a job) or the user is gone. */
  actorName: string | null;
  data: Record<string, unknown>;
}

export interface DigestOptions {
  /** The recipient's display name, for the greeting. */
  recipientName: string;
  /** PUBLIC_URL: with it, each ticket is a link. */
  publicUrl?: string | undefined;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** At most this many notifications are spelled out in one email; the rest are counted. */
export const DIGEST_MAX_ITEMS = 50;
const SUBJECT_MAX = 150;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content and quoted attribute values, the only two places the
 * digest puts it. (No escaping package is a dependency; these five characters are the whole
 * job for those contexts, as in the `escape-html` package.)
 *
 * @example escapeHtml('<b>&') // '&lt;b&gt;&amp;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Control characters and line separators as single spaces. */
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();

/**
 * Text safe for one header line: control characters (CR and LF above all) and Unicode line
 * separators become spaces, runs of whitespace one space, and it is cut to `max` characters.
 */
export function headerText(text: string, max = SUBJECT_MAX): string {
  const flat = oneLine(text);
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** Each kind's sentence; the placeholders are filled in (escaped, in HTML). */
const SENTENCES: Record<NotificationKind, string> = {
  assigned: '{actor} assigned you to {ticket}',
  mentioned: '{actor} mentioned you on {ticket}',
  commented: '{actor} commented on {ticket}',
  chat: '{actor} wrote in the chat of {ticket}',
  done: '{actor} moved {ticket} to done',
  webhook_disabled: 'Laneway disabled {webhook}',
  sla_breached: '{ticket} is past its SLA target',
};

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value : null);

interface Line {
  /** Values for the sentence's placeholders, as plain text. */
  values: Record<string, string>;
  sentence: string;
  ticketId: number | null;
  /** Set whenever ticketId is. */
  ticketLabel: string | null;
  url: string | null;
  /** A comment or message excerpt, or a reason: quoted under the sentence. */
  quote: string | null;
}

function describe(item: DigestItem, publicUrl: string | undefined): Line {
  const ticketLabel =
    oneLine([str(item.data.ticket_key), str(item.data.title)].filter((s) => s !== null).join(' ')) ||
    (item.ticketId === null ? null : `ticket #${item.ticketId}`);
  return {
    values: {
      // No actor user: a contact's reply by mail names the contact (SPEC §13).
      actor:
        oneLine(item.actorName ?? '') ||
        (str(item.data.contact_name) ? `${oneLine(str(item.data.contact_name)!)} (by email)` : 'Someone'),
      ticket: ticketLabel ?? 'a ticket',
      webhook: str(item.data.url) ? `the webhook to ${oneLine(str(item.data.url)!)}` : 'a webhook',
    },
    sentence: SENTENCES[item.kind] ?? 'News on {ticket}',
    ticketId: item.ticketId,
    ticketLabel,
    url: publicUrl && item.ticketId !== null ? `${publicUrl.replace(/\/+$/, '')}/tickets/${item.ticketId}` : null,
    quote: str(item.data.excerpt) ?? str(item.data.reason),
  };
}

/** The sentence with its placeholders filled by `fill`, and its own words passed to `words`. */
function sentence(line: Line, fill: (name: string, value: string) => string, words: (s: string) => string): string {
  return line.sentence
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      return name === undefined ? words(part) : fill(name, line.values[name] ?? '');
    })
    .join('');
}

const plainSentence = (line: Line) =>
  sentence(
    line,
    (_name, value) => value,
    (s) => s,
  );

function subjectOf(lines: Line[]): string {
  if (lines.length === 1) return headerText(`[Laneway] ${plainSentence(lines[0]!)}`);
  // Each ticket once, in order of first appearance.
  const tickets = new Map<number, string>();
  for (const l of lines) if (l.ticketId !== null && !tickets.has(l.ticketId)) tickets.set(l.ticketId, l.ticketLabel!);
  const about = tickets.size ? `: ${[...tickets.values()].join(', ')}` : '';
  return headerText(`[Laneway] ${lines.length} updates${about}`);
}

/**
 * The digest email of a user's notifications, oldest first: a subject on one line, a text
 * part, and an HTML part in which every user-controlled string is escaped.
 *
 * @example renderDigest([{ kind: 'assigned', ticketId: 7, actorName: 'Ann', data: { ticket_key: 'OPS-7', title: 'Printer' } }], { recipientName: 'Bo' })
 */
export function renderDigest(items: DigestItem[], options: DigestOptions): RenderedMail {
  const lines = items.map((item) => describe(item, options.publicUrl));
  const shown = lines.slice(0, DIGEST_MAX_ITEMS);
  const more = lines.length - shown.length;
  const name = headerText(options.recipientName, 100) || 'there';
  const intro =
    lines.length === 1
      ? 'You have a new notification in Laneway:'
      : `You have ${lines.length} new notifications in Laneway:`;
  const footer = 'You get this email for notifications you had not read in Laneway when it was sent.';

  const text = [
    `Hello ${name},`,
    '',
    intro,
    '',
    ...shown.flatMap((line) => [
      `- ${plainSentence(line)}`,
      ...(line.quote ? line.quote.split(/\r?\n/).map((l) => `  > ${l}`) : []),
      ...(line.url ? [`  ${line.url}`] : []),
      '',
    ]),
    ...(more > 0 ? [`…and ${more} more.`, ''] : []),
    '-- ',
    footer,
    '',
  ].join('\n');

  const htmlItems = shown.map((line) => {
    const body = sentence(
      line,
      (placeholder, value) => {
        if (placeholder === 'actor') return `<strong>${escapeHtml(value)}</strong>`;
        if (placeholder === 'ticket' && line.url) return `<a href="${escapeHtml(line.url)}">${escapeHtml(value)}</a>`;
        return escapeHtml(value);
      },
      escapeHtml,
    );
    const quote = line.quote
      ? `<blockquote style="margin:4px 0 0 0;padding-left:8px;border-left:3px solid #ccc;color:#555">${escapeHtml(line.quote).replace(/\r?\n/g, '<br>')}</blockquote>`
      : '';
    return `<li style="margin-bottom:12px">${body}${quote}</li>`;
  });
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family:system-ui,sans-serif;font-size:14px;line-height:1.4">',
    `<p>Hello ${escapeHtml(name)},</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<ul style="padding-left:20px">${htmlItems.join('')}</ul>`,
    more > 0 ? `<p>…and ${more} more.</p>` : '',
    `<p style="color:#777;font-size:12px">${escapeHtml(footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');

  return { subject: subjectOf(lines), text, html };
}

type Transport = ReturnType<typeof nodemailer.createTransport>;
const transports = new Map<string, Transport>();

/**
 * The process's pooled SMTP transport for `smtpUrl` (smtp:// or smtps://, credentials in the
 * URL), created on first use. Short timeouts: a job waiting on a dead server should fail and
 * be retried rather than hold its worker slot for minutes.
 */
export async function mailTransport(smtpUrl: string): Promise<Transport> {
  // Loaded on first use, not at start-up (decision 0059): nodemailer is ~40 modules.
  const { createTransport } = await import('nodemailer');
  // Looked up after the import: a call that waited alongside may have made it meanwhile.
  let transport = transports.get(smtpUrl);
  if (!transport) {
    transport = createTransport({
      url: smtpUrl,
      pool: true,
      idleTimeout: 30_000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    transports.set(smtpUrl, transport);
  }
  return transport;
}

/** Closes every pooled SMTP connection (worker shutdown, tests). */
export function closeMailTransports(): void {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}

/** What an account email says, by kind: subject, the sentence before the link, the button. */
const ACCOUNT_MAIL: Record<string, { subject: string; body: string; button: string }> = {
  password_reset: {
    subject: 'Reset your {site} password',
    body: 'Someone asked to reset the password of your {site} account. The link works once, for {minutes} minutes. If it was not you, ignore this email: your password stays as it is.',
    button: 'Choose a new password',
  },
  invitation: {
    subject: '{inviter} invited you to {site}',
    body: '{inviter} invited you to {site}. Accept within {hours} hours to create your account.',
    button: 'Accept the invitation',
  },
  invitation_applied: {
    subject: '{inviter} gave you access on {site}',
    body: '{inviter} gave your {site} account access to: {what}. Sign in as usual to see it.',
    button: 'Open {site}',
  },
  new_device: {
    subject: 'New sign-in to your {site} account',
    body: 'Your {site} account was signed in to from a device it had not seen before ({device}, address {ip}). If it was you, there is nothing to do. If not, change your password and sign out every other session on your account page.',
    button: 'Open your account',
  },
  two_factor_disabled: {
    subject: 'Two-factor authentication was turned off on {site}',
    body: 'Two-factor authentication was turned off for your {site} account. If it was not you, reset your password and tell your administrator.',
    button: 'Open {site}',
  },
};

/**
 * An account email (reset, invitation, 2FA turned off) with a text and an HTML part and the
 * instance's name; every value is escaped in HTML and flattened in the subject.
 */
export function renderAccountMail(
  kind: string,
  options: { site: string; name: string; link: string | null; data: Record<string, string> },
): RenderedMail {
  const template = ACCOUNT_MAIL[kind];
  if (!template) throw new Error(`unknown account mail ${kind}`);
  const values: Record<string, string> = { ...options.data, site: options.site };
  const fill = (s: string, esc: (v: string) => string) =>
    s.replace(/\{(\w+)\}/g, (_, key: string) => esc(values[key] ?? ''));
  const name = headerText(options.name, 100) || 'there';
  const body = fill(template.body, (v) => v);
  const text = [`Hello ${name},`, '', body, ...(options.link ? ['', options.link] : []), '', `— ${options.site}`].join(
    '\n',
  );
  const link = options.link ? escapeHtml(options.link) : null;
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
    `<p>Hello ${escapeHtml(name)},</p>`,
    `<p>${fill(template.body, escapeHtml)}</p>`,
    link ? `<p><a href="${link}">${fill(template.button, escapeHtml)}</a></p><p>${link}</p>` : '',
    `<p>— ${escapeHtml(options.site)}</p>`,
    '</body></html>',
  ].join('');
  return { subject: headerText(fill(template.subject, (v) => v)), text, html };
}

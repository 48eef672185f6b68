/**
 * Mail intake (SPEC §13): one raw RFC 5322 message, read by the poller or pushed to the inbound
 * endpoint, becomes a ticket, or a log line saying why not.
 *
 * At least once and never twice: the (mailbox, Message-ID) row of `mail_messages` is inserted
 * in the same transaction as the ticket, and the poller flags and moves the message only after
 * that commit. A message seen again (a crash between commit and move, a second worker) hits the
 * unique key and is a no-op, reported as `duplicate`, after which the poller moves it anyway.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Db, Executor } from '@laneway/db/client';
import {
  chatMessages,
  chatRooms,
  contacts,
  mailboxes,
  mailMessages,
  projectCompanies,
  projects,
  tickets,
} from '@laneway/db/schema';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import TurndownService from 'turndown';
import EmailReplyParser from 'email-reply-parser';
import type { Secrets } from '../lib/secrets.ts';
import { pgArray } from '../lib/sql-array.ts';
import { readReplyToken } from '../mail/reply-address.ts';
import type { Ticket } from '../schemas/tickets.ts';
import { recordEvent, roomTopic } from './changes.ts';
import { serializeMessage } from './chat.ts';
import { transact } from './publish.ts';
import { storeIncomingFiles, type UploadStorage } from './attachments.ts';
import { companyForEmail } from './companies.ts';
import { hashInboundToken, type MailboxRow } from './mailboxes.ts';
import type { Config } from '../env.ts';
import { notFound } from '../lib/errors.ts';
import { createIntakeTicket } from './ticket-writes.ts';
import { notifyContactReply } from './notifications.ts';
import { readTicket, serializeTicket } from './tickets.ts';

/** What intake needs besides the database. */
export interface IntakeLimits {
  /** Reply tokens are checked with it. */
  secrets: Secrets;
  storage: UploadStorage;
  /** MAIL_MAX_MB in bytes: a larger message is refused unread. */
  maxMailBytes: number;
  /** MAIL_MAX_PER_SENDER_PER_HOUR. */
  maxPerSenderPerHour: number;
}

/** The intake limits from the configuration. */
export function intakeLimits(config: Config, secrets: Secrets): IntakeLimits {
  return {
    secrets,
    storage: { dir: config.uploadDir, maxBytes: config.maxUploadBytes },
    maxMailBytes: config.MAIL_MAX_MB * 1024 * 1024,
    maxPerSenderPerHour: config.MAIL_MAX_PER_SENDER_PER_HOUR,
  };
}

/**
 * A raw message pushed by a mail provider to `POST /api/inbound/email/{token}`: the token names
 * the mailbox (its SHA-256 is stored; an unknown token or an inactive mailbox is a 404).
 */
export async function receivePushedMail(
  db: Db,
  limits: IntakeLimits,
  token: string,
  raw: Buffer,
): Promise<IntakeResult> {
  const [box] = await db
    .select()
    .from(mailboxes)
    .where(and(eq(mailboxes.inboundTokenHash, hashInboundToken(token)), eq(mailboxes.isActive, true)));
  if (!box) throw notFound();
  return importMail(db, limits, box, raw);
}

export type IntakeOutcome = 'imported' | 'appended' | 'ignored' | 'refused' | 'duplicate';

export interface IntakeResult {
  outcome: IntakeOutcome;
  reason: string;
  messageId: string;
  ticket: Ticket | null;
  /** The chat message an `appended` reply became. */
  chatMessage?: number | undefined;
}

/** Headers as the IMAP envelope gives them, for a message too large to download. */
export interface MailHint {
  messageId?: string | undefined;
  sender?: string | undefined;
  subject?: string | undefined;
  size?: number | undefined;
}

const TITLE_MAX = 500;
const DESCRIPTION_MAX = 100_000;

/** Postgres text holds no NUL; mail may carry one. */
const clean = (s: string) => s.replaceAll('\0', '');

const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
// Their content is code or styling, never prose: dropped, not turned into text.
turndown.remove(['script', 'style', 'head', 'title', 'noscript', 'iframe', 'object', 'embed', 'template', 'form']);

/**
 * An HTML body as Markdown. What Markdown cannot say is dropped with its markup; the result is
 * shown through the same sanitiser as every description (web/src/lib/markdown.ts), so it stays
 * inert even if a tag slipped through.
 */
export function htmlToMarkdown(html: string): string {
  return turndown.turndown(html).trim();
}

/**
 * Why a message must not be answered by a ticket (RFC 3834 and common practice), or null:
 * auto-replies, bulk and list mail, and bounces. Answering those is how mail loops start.
 */
export function loopReason(mail: ParsedMail, sender: string): string | null {
  const header = (name: string) => {
    const v = mail.headers.get(name);
    if (v === undefined || v === null) return null;
    return (typeof v === 'string' ? v : typeof v === 'object' && 'value' in v ? String(v.value) : String(v))
      .trim()
      .toLowerCase();
  };
  const autoSubmitted = header('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header('precedence');
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  if (header('x-autoreply') || header('x-autorespond') || header('x-auto-response-suppress')?.includes('all')) {
    return 'Auto-reply header';
  }
  if (header('list-id') || header('list-unsubscribe')) return 'Mailing list';
  const local = sender.slice(0, sender.lastIndexOf('@'));
  if (/^(mailer-daemon|postmaster)$/.test(local)) return `Sender ${local}: a bounce`;
  const contentType = header('content-type') ?? '';
  if (contentType.includes('multipart/report')) return 'Delivery report';
  return null;
}

/** The key a message is known by in its mailbox: its Message-ID, or a hash of its bytes. */
function messageKey(mail: ParsedMail | null, raw: Buffer | null, hint: MailHint): string {
  const id = mail?.messageId ?? hint.messageId;
  if (id) return clean(id).slice(0, 998);
  return `sha256:${createHash('sha256')
    .update(raw ?? `${hint.sender}|${hint.subject}|${hint.size}`)
    .digest('hex')}`;
}

/** Writes a log line for a message that opens no ticket; `duplicate` if the message was seen. */
async function logOnly(
  db: Executor,
  mailbox: MailboxRow,
  messageId: string,
  outcome: 'ignored' | 'refused',
  reason: string,
  sender: string,
  subject: string,
): Promise<IntakeResult> {
  const inserted = await db
    .insert(mailMessages)
    .values({ mailboxId: mailbox.id, messageId, outcome, reason, sender, subject: subject.slice(0, TITLE_MAX) })
    .onConflictDoNothing()
    .returning({ id: mailMessages.id });
  return inserted.length
    ? { outcome, reason, messageId, ticket: null }
    : { outcome: 'duplicate', reason: 'Seen before', messageId, ticket: null };
}

/** The contact with this address, preferring one in a company. */
async function findContact(db: Executor, email: string) {
  const [row] = await db
    .select({ id: contacts.id, companyId: contacts.companyId })
    .from(contacts)
    .where(sql`lower(${contacts.email}) = ${email}`)
    .orderBy(sql`${contacts.companyId} is null`, contacts.id)
    .limit(1);
  return row ?? null;
}

/** Whether the company is linked to the project, so the ticket may carry it. */
async function linkedToProject(db: Executor, projectId: number, companyId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: projectCompanies.companyId })
    .from(projectCompanies)
    .where(and(eq(projectCompanies.projectId, projectId), eq(projectCompanies.companyId, companyId)));
  return row !== undefined;
}

/**
 * Turns one raw message into a ticket of the mailbox's project, or logs why not. Never throws
 * for what is wrong with the message (malformed, too large, unwelcome): those are outcomes.
 */
export async function importMail(
  db: Db,
  limits: IntakeLimits,
  mailbox: MailboxRow,
  raw: Buffer | null,
  hint: MailHint = {},
): Promise<IntakeResult> {
  const hintSender = clean(hint.sender ?? '').toLowerCase();
  const hintSubject = clean(hint.subject ?? '');
  const size = raw?.length ?? hint.size ?? 0;
  if (raw === null || size > limits.maxMailBytes) {
    const mb = (size / 1024 / 1024).toFixed(1);
    const reason = `Too large: ${mb} MB (the limit is ${limits.maxMailBytes / 1024 / 1024} MB)`;
    return logOnly(db, mailbox, messageKey(null, raw, hint), 'refused', reason, hintSender, hintSubject);
  }
  // Loaded on first use, not at start-up (decision 0059): ~80 modules only mail needs.
  const { simpleParser } = await import('mailparser');
  let mail: ParsedMail;
  try {
    // skipHtmlToText: `text` is then the sender's own plain part, never mailparser's rendering
    // of the HTML (which loses the structure turndown keeps).
    mail = await simpleParser(raw, {
      skipHtmlToText: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
    });
  } catch (error) {
    const reason = `Malformed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500);
    return logOnly(db, mailbox, messageKey(null, raw, hint), 'refused', reason, hintSender, hintSubject);
  }
  const messageId = messageKey(mail, raw, hint);
  const from = mail.from?.value.find((a) => a.address);
  const sender = clean(from?.address ?? '').toLowerCase();
  const subject = clean(mail.subject ?? '').trim();
  if (!sender || !sender.includes('@')) {
    return logOnly(db, mailbox, messageId, 'refused', 'No sender address', sender, subject);
  }
  const loop = loopReason(mail, sender);
  if (loop) return logOnly(db, mailbox, messageId, 'ignored', loop, sender, subject);
  if (sender === mailbox.address.toLowerCase()) {
    return logOnly(db, mailbox, messageId, 'ignored', 'Sent by this mailbox itself', sender, subject);
  }

  const reply = await matchReply(db, limits.secrets, mailbox, mail, sender);
  if (reply) return appendReply(db, limits, mailbox, mail, messageId, sender, subject, reply);

  const [recent] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(mailMessages)
    .where(
      and(
        eq(mailMessages.mailboxId, mailbox.id),
        eq(mailMessages.sender, sender),
        eq(mailMessages.outcome, 'imported'),
        gt(mailMessages.createdAt, sql`now() - interval '1 hour'`),
      ),
    );
  if ((recent?.n ?? 0) >= limits.maxPerSenderPerHour) {
    const reason = `More than ${limits.maxPerSenderPerHour} tickets from this sender in an hour`;
    return logOnly(db, mailbox, messageId, 'refused', reason, sender, subject);
  }

  const known = await findContact(db, sender);
  const domainCompany = known ? null : await companyForEmail(db, sender);
  if (!known && mailbox.acceptFrom === 'contacts') {
    return logOnly(db, mailbox, messageId, 'refused', 'The sender is not a contact', sender, subject);
  }
  if (!known && domainCompany === null && mailbox.acceptFrom === 'company_domains') {
    return logOnly(db, mailbox, messageId, 'refused', "The sender's domain belongs to no company", sender, subject);
  }

  const description = clean(mail.text?.trim() || (mail.html ? htmlToMarkdown(mail.html) : '')).slice(
    0,
    DESCRIPTION_MAX,
  );
  const files = mail.attachments.map((a) => ({ filename: a.filename, content: a.content }));
  const paths: string[] = [];
  try {
    const created = await createIntakeTicket(
      db,
      {
        project: mailbox.projectId,
        title: (subject || `Mail from ${sender}`).slice(0, TITLE_MAX),
        description,
        column: mailbox.intakeColumnId,
        priority_id: mailbox.defaultPriorityId,
        source: 'email',
      },
      {
        async claim(tx) {
          const claimed = await tx
            .insert(mailMessages)
            .values({
              mailboxId: mailbox.id,
              messageId,
              outcome: 'imported',
              sender,
              subject: subject.slice(0, TITLE_MAX),
            })
            .onConflictDoNothing()
            .returning({ id: mailMessages.id });
          if (!claimed.length) return null;
          // Inside the claim: two workers racing on one new sender make one contact.
          let contact = known ?? (await findContact(tx, sender));
          if (!contact) {
            const [row] = await tx
              .insert(contacts)
              .values({
                name: clean(from?.name?.trim() || sender).slice(0, 200),
                email: sender,
                companyId: domainCompany,
              })
              .returning({ id: contacts.id, companyId: contacts.companyId });
            contact = row!;
          }
          const company =
            contact.companyId !== null && (await linkedToProject(tx, mailbox.projectId, contact.companyId))
              ? contact.companyId
              : null;
          return { claimId: claimed[0]!.id, contact: contact.id, company };
        },
        async after(tx, ticket, claim) {
          const { skipped } = await storeIncomingFiles(
            tx,
            { id: ticket.id, project: ticket.project },
            null,
            files,
            limits.storage,
            paths,
          );
          const reason = skipped.length
            ? `Attachments over the size limit or empty, left out: ${skipped.join(', ')}`
            : '';
          await tx.update(mailMessages).set({ ticketId: ticket.id, reason }).where(eq(mailMessages.id, claim.claimId));
          return reason;
        },
      },
    );
    if (!created) return { outcome: 'duplicate', reason: 'Seen before', messageId, ticket: null };
    return { outcome: 'imported', reason: created.extra, messageId, ticket: created.ticket };
  } catch (error) {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
    throw error;
  }
}

/** The ticket a reply continues, and its contact. */
interface ReplyTarget {
  ticketId: number;
  projectId: number;
  projectKey: string;
  number: number;
  contactId: number;
}

/** Every address the message was delivered to, where a reply token may be. */
function recipients(mail: ParsedMail): string[] {
  const list = (v: ParsedMail['to']) => (v ? (Array.isArray(v) ? v : [v]).flatMap((a) => a.value) : []);
  const addresses = [...list(mail.to), ...list(mail.cc)].map((a) => a.address ?? '');
  for (const name of ['delivered-to', 'x-original-to', 'envelope-to']) {
    const v = mail.headers.get(name);
    if (typeof v === 'string') addresses.push(v);
    else if (Array.isArray(v)) addresses.push(...v.map(String));
  }
  return addresses.filter(Boolean);
}

/** Message-IDs the mail answers (In-Reply-To, then References). */
function answered(mail: ParsedMail): string[] {
  const refs = typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []);
  return [...new Set([mail.inReplyTo, ...refs].filter((r): r is string => typeof r === 'string' && r.startsWith('<')))]
    .map(clean)
    .slice(0, 100);
}

/**
 * The ticket this mail replies to, if its reply token (valid HMAC) or its In-Reply-To/References
 * (a mail Laneway sent, or the mail that opened the ticket) name one of this mailbox's project,
 * and its sender is that ticket's contact. A reply from anyone else is not a reply: it goes the
 * way of new mail (accept_from decides), and never posts as the contact.
 */
async function matchReply(
  db: Executor,
  secrets: Secrets,
  mailbox: MailboxRow,
  mail: ParsedMail,
  sender: string,
): Promise<ReplyTarget | null> {
  const candidates: number[] = [];
  for (const address of recipients(mail)) {
    const token = readReplyToken(secrets, address);
    if (token) candidates.push(token.ticketId);
  }
  const ids = answered(mail);
  if (!candidates.length && ids.length) {
    const rows = await db.execute<{ ticket_id: number }>(sql`
      select r.ticket_id from chat_messages m join chat_rooms r on r.id = m.room_id
        where m.email_message_id = any(${pgArray(ids, 'text')}) and m.author_id is not null and r.ticket_id is not null
      union all
      select mm.ticket_id from mail_messages mm
        where mm.mailbox_id = ${mailbox.id} and mm.message_id = any(${pgArray(ids, 'text')}) and mm.ticket_id is not null`);
    candidates.push(...rows.map((r) => r.ticket_id));
  }
  for (const ticketId of candidates) {
    const [row] = await db
      .select({
        ticketId: tickets.id,
        projectId: tickets.projectId,
        projectKey: projects.key,
        number: tickets.number,
        contactId: tickets.contactId,
        email: contacts.email,
      })
      .from(tickets)
      .innerJoin(projects, eq(projects.id, tickets.projectId))
      .innerJoin(contacts, eq(contacts.id, tickets.contactId))
      .where(eq(tickets.id, ticketId));
    if (row && row.projectId === mailbox.projectId && row.email.toLowerCase() === sender && row.contactId !== null) {
      return { ...row, contactId: row.contactId };
    }
  }
  return null;
}

/** The new part of a reply: quoted history and signature trimmed. */
export function replyText(mail: ParsedMail): string {
  const text = mail.text?.trim() || (mail.html ? htmlToMarkdown(mail.html) : '');
  const visible = new EmailReplyParser().parseReply(text).trim();
  return clean(visible || text).slice(0, DESCRIPTION_MAX);
}

/** Appends a reply to its ticket's room as the contact's chat message (`via: email`). */
async function appendReply(
  db: Db,
  limits: IntakeLimits,
  mailbox: MailboxRow,
  mail: ParsedMail,
  messageId: string,
  sender: string,
  subject: string,
  target: ReplyTarget,
): Promise<IntakeResult> {
  const files = mail.attachments.map((a) => ({ filename: a.filename, content: a.content }));
  const paths: string[] = [];
  try {
    const appended = await transact(db, async (tx) => {
      const claimed = await tx
        .insert(mailMessages)
        .values({
          mailboxId: mailbox.id,
          messageId,
          outcome: 'appended',
          sender,
          subject: subject.slice(0, TITLE_MAX),
          ticketId: target.ticketId,
        })
        .onConflictDoNothing()
        .returning({ id: mailMessages.id });
      if (!claimed.length) return null;
      await tx
        .insert(chatRooms)
        .values({
          projectId: target.projectId,
          ticketId: target.ticketId,
          name: `${target.projectKey}-${target.number}`,
        })
        .onConflictDoNothing({ target: chatRooms.ticketId });
      const [room] = await tx
        .select({ id: chatRooms.id })
        .from(chatRooms)
        .where(eq(chatRooms.ticketId, target.ticketId));
      const body = replyText(mail) || (files.length ? '(attachments)' : '(empty reply)');
      const [row] = await tx
        .insert(chatMessages)
        .values({
          roomId: room!.id,
          authorId: null,
          contactId: target.contactId,
          via: 'email',
          emailMessageId: messageId.startsWith('<') ? messageId : null,
          body,
        })
        .onConflictDoNothing()
        .returning();
      if (!row) return null;
      await recordEvent(tx, roomTopic(room!.id), 'chat.message', serializeMessage(row));
      // Staff hear of it as of a message in the app (the reporter, the assignees, mentions).
      const [contact] = await tx
        .select({ name: contacts.name, email: contacts.email })
        .from(contacts)
        .where(eq(contacts.id, target.contactId));
      await notifyContactReply(tx, serializeTicket(await readTicket(tx, target.ticketId)), {
        body,
        ref: { room: room!.id, message: row.id },
        contactName: contact?.name || contact?.email || sender,
      });
      const { skipped } = await storeIncomingFiles(
        tx,
        { id: target.ticketId, project: target.projectId },
        null,
        files,
        limits.storage,
        paths,
      );
      const reason = skipped.length ? `Attachments over the size limit or empty, left out: ${skipped.join(', ')}` : '';
      if (reason) await tx.update(mailMessages).set({ reason }).where(eq(mailMessages.id, claimed[0]!.id));
      return { chatMessage: row.id, reason };
    });
    if (!appended) return { outcome: 'duplicate', reason: 'Seen before', messageId, ticket: null };
    return { outcome: 'appended', reason: appended.reason, messageId, ticket: null, chatMessage: appended.chatMessage };
  } catch (error) {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
    throw error;
  }
}

/**
 * Staff chat messages mailed to the ticket's contact (SPEC §13): what to send, as which
 * mailbox, in which thread. The `mail_chat_message` task sends it; this module only reads and
 * records, so the worker holds no SQL of its own.
 */
import type { Db } from '@laneway/db/client';
import { chatMessages } from '@laneway/db/schema';
import { eq, sql } from 'drizzle-orm';
import type { Secrets } from '../lib/secrets.ts';
import { replyAddress } from '../mail/reply-address.ts';

/** The headers and body of one outgoing reply. */
export interface ChatMail {
  from: { name: string; address: string };
  to: { name: string; address: string };
  replyTo: string;
  subject: string;
  messageId: string;
  inReplyTo: string | undefined;
  references: string[];
  text: string;
  headers: Record<string, string>;
}

/** How many earlier Message-IDs a reply's References carries: the first and the latest. */
const MAX_REFERENCES = 20;

/**
 * The mail for a chat message, or null when there is nothing to send any more (the message,
 * ticket, contact address or mailbox is gone, or it was not a staff message). Its Message-ID is
 * fixed by the message (so a retry sends the same one) and stored before sending, so a reply
 * that beats the send's bookkeeping still finds its thread.
 */
export async function composeChatMail(db: Db, secrets: Secrets, messageId: number): Promise<ChatMail | null> {
  const [row] = await db.execute<{
    body: string;
    author_name: string | null;
    ticket_id: number;
    ticket_key: string;
    title: string;
    contact_id: number;
    contact_name: string;
    contact_email: string;
    mailbox_address: string | null;
    original_subject: string | null;
  }>(sql`
    select m.body, coalesce(nullif(u.name, ''), u.username) as author_name,
           t.id as ticket_id, p.key || '-' || t.number as ticket_key, t.title,
           c.id as contact_id, c.name as contact_name, c.email as contact_email,
           coalesce(
             (select b.address from mail_messages mm join mailboxes b on b.id = mm.mailbox_id
               where mm.ticket_id = t.id and b.is_active order by mm.id limit 1),
             (select b.address from mailboxes b where b.project_id = t.project_id and b.is_active
               order by b.id limit 1)) as mailbox_address,
           (select mm.subject from mail_messages mm where mm.ticket_id = t.id and mm.outcome = 'imported'
             order by mm.id limit 1) as original_subject
    from chat_messages m
    join chat_rooms r on r.id = m.room_id
    join tickets t on t.id = r.ticket_id
    join projects p on p.id = t.project_id
    join contacts c on c.id = t.contact_id
    left join users u on u.id = m.author_id
    where m.id = ${messageId} and m.author_id is not null and m.deleted_at is null and c.email like '%@%'`);
  if (!row || !row.mailbox_address) return null;
  const domain = row.mailbox_address.slice(row.mailbox_address.lastIndexOf('@') + 1);
  const id = `<laneway.${messageId}.${secrets.hmac('mail-message-id', String(messageId)).slice(0, 12)}@${domain}>`;
  await db.update(chatMessages).set({ emailMessageId: id }).where(eq(chatMessages.id, messageId));
  // The thread so far: the mail that opened the ticket, then every mail of its room, oldest first.
  const thread = await db.execute<{ id: string }>(sql`
    select id from (
      select mm.message_id as id, mm.created_at as at, 0 as n from mail_messages mm
        where mm.ticket_id = ${row.ticket_id} and mm.outcome = 'imported' and mm.message_id like '<%'
      union all
      select m.email_message_id, m.created_at, m.id from chat_messages m
        join chat_rooms r on r.id = m.room_id
        where r.ticket_id = ${row.ticket_id} and m.email_message_id is not null and m.id < ${messageId}
    ) x order by at, n`);
  const ids = thread.map((r) => r.id);
  const references = ids.length > MAX_REFERENCES ? [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))] : ids;
  const subject = row.original_subject || row.title;
  return {
    from: { name: row.author_name ?? 'Support', address: row.mailbox_address },
    to: { name: row.contact_name, address: row.contact_email },
    replyTo: replyAddress(secrets, row.mailbox_address, row.ticket_id, row.contact_id),
    subject: `${/^re:/i.test(subject) ? '' : 'Re: '}${subject} [${row.ticket_key}]`,
    messageId: id,
    inReplyTo: references.at(-1),
    references,
    text: row.body,
    headers: { 'X-Laneway-Ticket': row.ticket_key },
  };
}

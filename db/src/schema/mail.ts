import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { columns, priorities, projects } from './projects.ts';
import { tickets } from './tickets.ts';

/** Who may open a ticket by mail (SPEC §13). */
export const mailAcceptFrom = pgEnum('mail_accept_from', ['contacts', 'company_domains', 'anyone']);
/** What became of one message a mailbox saw: the delivery log's outcome. */
export const mailOutcome = pgEnum('mail_outcome', ['imported', 'appended', 'ignored', 'refused']);

/** An IMAP mailbox connected to a project; new mail in `folder` becomes tickets. */
export const mailboxes = pgTable(
  'mailboxes',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** The address clients write to; replies go out from it, with `+token` in the local part. */
    address: text('address').notNull(),
    imapHost: text('imap_host').notNull(),
    imapPort: integer('imap_port').notNull().default(993),
    imapTls: boolean('imap_tls').notNull().default(true),
    imapUsername: text('imap_username').notNull(),
    /** AES-256-GCM box (server/src/lib/secrets.ts, purpose `mailbox-password`); never returned. */
    imapPassword: text('imap_password').notNull(),
    imapFolder: text('imap_folder').notNull().default('INBOX'),
    /** Where imported messages go, `/`-separated; the server's own delimiter is used on the wire. */
    importedFolder: text('imported_folder').notNull().default('Laneway/Imported'),
    intakeColumnId: integer('intake_column_id').references(() => columns.id, { onDelete: 'set null' }),
    defaultPriorityId: integer('default_priority_id').references(() => priorities.id),
    acceptFrom: mailAcceptFrom('accept_from').notNull().default('anyone'),
    isActive: boolean('is_active').notNull().default(true),
    /** SHA-256 of the push endpoint's token (`POST /api/inbound/email/{token}`); shown once. */
    inboundTokenHash: text('inbound_token_hash'),
    lastPolledAt: ts('last_polled_at'),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [
    index('mailboxes_project_idx').on(t.projectId),
    // The push endpoint finds its mailbox by the token's hash.
    uniqueIndex('mailboxes_inbound_token_uq').on(t.inboundTokenHash),
  ],
);

/**
 * Every message a mailbox saw, with what became of it: the delivery log, and the "never twice"
 * guard. The unique (mailbox, message id) is claimed in the transaction that creates the
 * ticket, so a message seen again (a crash before it was flagged, a second worker) is a no-op.
 */
export const mailMessages = pgTable(
  'mail_messages',
  {
    id: id(),
    mailboxId: integer('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    /** The Message-ID header, or a hash of the raw message when it has none. */
    messageId: text('message_id').notNull(),
    outcome: mailOutcome('outcome').notNull(),
    reason: text('reason').notNull().default(''),
    sender: text('sender').notNull().default(''),
    subject: text('subject').notNull().default(''),
    ticketId: integer('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('mail_messages_mailbox_message_uq').on(t.mailboxId, t.messageId),
    // The log, newest first.
    index('mail_messages_mailbox_idx').on(t.mailboxId, t.id),
    // The per-sender hourly limit counts a sender's recent tickets.
    index('mail_messages_sender_idx')
      .on(t.mailboxId, t.sender, t.createdAt)
      .where(sql`outcome = 'imported'`),
  ],
);

/**
 * Canned responses of a project (SPEC §13): Markdown with `{{ticket.key}}`, `{{ticket.title}}`,
 * `{{contact.name}}`, `{{agent.name}}`, filled in where they are inserted (chat, comments).
 */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('canned_replies_project_name_uq').on(t.projectId, sql`lower(${t.name})`)],
);

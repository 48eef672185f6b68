import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { users } from './auth.ts';
import { contacts } from './orgs.ts';
import { projects } from './projects.ts';
import { tickets } from './tickets.ts';

/** One room per ticket (created on first use) plus optional project-wide rooms. */
export const chatRooms = pgTable(
  'chat_rooms',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    ticketId: integer('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // "Created on first use": two first uses at once must end with one room.
    uniqueIndex('chat_rooms_ticket_uq').on(t.ticketId),
    index('chat_rooms_project_idx').on(t.projectId),
  ],
);

/** How a chat message arrived: typed in the app, or a contact's reply by mail (SPEC §13). */
export const chatVia = pgEnum('chat_via', ['app', 'email']);

export const chatMessages = pgTable(
  'chat_messages',
  {
    id: id(),
    roomId: integer('room_id')
      .notNull()
      .references(() => chatRooms.id, { onDelete: 'cascade' }),
    authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
    /** The ticket's contact who wrote it (a mail reply); author is then null. */
    contactId: integer('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    via: chatVia('via').notNull().default('app'),
    /**
     * The Message-ID of the mail this message was sent as (a staff message mailed to the
     * contact) or arrived as (a reply): replies are matched by their In-Reply-To/References.
     */
    emailMessageId: text('email_message_id'),
    body: text('body').notNull(),
    clientId: text('client_id'),
    createdAt: createdAt(),
    editedAt: ts('edited_at'),
    deletedAt: ts('deleted_at'),
  },
  (t) => [
    // History pages go backwards from a message id.
    index('chat_messages_room_idx').on(t.roomId, t.id),
    // A resent client_id must not store the message twice.
    uniqueIndex('chat_messages_client_uq').on(t.roomId, t.authorId, t.clientId),
    // A reply's In-Reply-To finds the message it answers.
    uniqueIndex('chat_messages_email_uq')
      .on(t.emailMessageId)
      .where(sql`email_message_id is not null`),
  ],
);

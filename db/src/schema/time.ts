import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { users } from './auth.ts';
import { tickets } from './tickets.ts';

/**
 * Time spent on a ticket (SPEC §14): whole minutes on a day, by one person. Staff only; company
 * people never read these rows (services/time.ts).
 */
export const timeEntries = pgTable(
  'time_entries',
  {
    id: id(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    minutes: integer('minutes').notNull(),
    note: text('note').notNull().default(''),
    /** The day the work was done, in the worker's own calendar (no time zone). */
    spentOn: date('spent_on', { mode: 'string' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // A ticket's entries and its total.
    index('time_entries_ticket_idx').on(t.ticketId),
    // The monthly report walks a date range.
    index('time_entries_spent_on_idx').on(t.spentOn),
    check('time_entries_minutes_positive', sql`${t.minutes} > 0`),
  ],
);

/**
 * A person's running timer: at most one per person across all tickets (the primary key), kept
 * in the database so it survives a reload or another device. Stopping it writes a time entry.
 */
export const timers = pgTable('timers', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  ticketId: integer('ticket_id')
    .notNull()
    .references(() => tickets.id, { onDelete: 'cascade' }),
  startedAt: ts('started_at').notNull().defaultNow(),
});

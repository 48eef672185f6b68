import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './_columns.ts';
import { users } from './auth.ts';
import { tickets } from './tickets.ts';

/**
 * The realtime outbox. Each change appends its event with the next seq of its topic in the
 * change's own transaction, so seqs are gap-free per topic and a committed change always has
 * its event. Clients resume with `since`.
 */
export const events = pgTable(
  'events',
  {
    topic: text('topic').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    /** The request that made the change, if any: carried into the jobs the event queues (logs). */
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.topic, t.seq] }),
    // Retention pruning deletes by age.
    index('events_created_idx').on(t.createdAt),
  ],
);

/** The last seq handed out per topic; its row lock serialises appends to one topic. */
export const topicSeqs = pgTable('topic_seqs', {
  topic: text('topic').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
});

export const notifications = pgTable(
  'notifications',
  {
    id: id(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    ticketId: integer('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    data: jsonb('data').notNull().default({}),
    createdAt: createdAt(),
    readAt: ts('read_at'),
    /** Set when the notification went out in an email digest (or was skipped: no SMTP). */
    emailedAt: ts('emailed_at'),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.id),
    // ?unread=true is the common query and unread rows are few.
    index('notifications_unread_idx')
      .on(t.userId)
      .where(sql`${t.readAt} is null`),
  ],
);

/**
 * How a user wants to hear about one notification kind: `in_app` (stored and pushed, not
 * mailed), `email` (also in the digest mail; the default when there is no row) or `none`
 * (not stored at all). One row per user and kind that differs from the default.
 */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    channel: text('channel').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.kind] }),
    check('notification_preferences_channel_ck', sql`${t.channel} in ('in_app', 'email', 'none')`),
  ],
);

/**
 * One row per running worker process: seen every few seconds. /ready wants a recent one, and a
 * row gone stale means its process died; another worker then releases the jobs it held (which
 * graphile-worker would otherwise keep locked for four hours).
 */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  id: text('id').primaryKey(),
  /** graphile-worker's ids of this process's workers (jobs.locked_by). */
  workerIds: text('worker_ids')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  startedAt: ts('started_at').notNull().defaultNow(),
  seenAt: ts('seen_at').notNull().defaultNow(),
});

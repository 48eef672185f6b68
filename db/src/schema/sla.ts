import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, smallint, text, unique } from 'drizzle-orm/pg-core';
import { id, ts } from './_columns.ts';
import { companies } from './orgs.ts';
import { priorities, projects } from './projects.ts';
import { tickets } from './tickets.ts';

/**
 * A project's business hours (SPEC §14): the calendar SLA clocks run in. Without a row the
 * clocks run around the clock (24/7).
 */
export const businessHours = pgTable(
  'business_hours',
  {
    projectId: integer('project_id')
      .primaryKey()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** An IANA zone, e.g. Europe/Berlin. */
    timezone: text('timezone').notNull(),
    /** ISO weekdays the team works, 1 = Monday … 7 = Sunday. */
    days: smallint('days').array().notNull(),
    /** Minutes after local midnight the working day starts and ends (end > start). */
    startMinute: smallint('start_minute').notNull(),
    endMinute: smallint('end_minute').notNull(),
    /** Local dates nobody works. */
    holidays: date('holidays', { mode: 'string' })
      .array()
      .notNull()
      .default(sql`'{}'::date[]`),
  },
  (t) => [check('business_hours_span', sql`${t.endMinute} > ${t.startMinute}`)],
);

/**
 * SLA targets in business minutes: per priority (null: any), optionally for one company (null:
 * every company). The most specific target for a ticket wins (services/sla.ts).
 */
export const slaTargets = pgTable(
  'sla_targets',
  {
    id: id(),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    priorityId: integer('priority_id').references(() => priorities.id, { onDelete: 'cascade' }),
    companyId: integer('company_id').references(() => companies.id, { onDelete: 'cascade' }),
    firstResponseMinutes: integer('first_response_minutes').notNull(),
    resolutionMinutes: integer('resolution_minutes').notNull(),
  },
  (t) => [
    // One target per (priority, company) pair; nulls compare equal so "any" is unique too.
    unique('sla_targets_scope_uq').on(t.projectId, t.priorityId, t.companyId).nullsNotDistinct(),
    check('sla_targets_positive', sql`${t.firstResponseMinutes} > 0 and ${t.resolutionMinutes} > 0`),
  ],
);

/**
 * A ticket's SLA clocks, fixed when the ticket is born under a target (no row: no SLA). The
 * breach task stamps `*_breached_at` once, under a guard, so a retry never breaches twice.
 */
export const ticketSla = pgTable(
  'ticket_sla',
  {
    ticketId: integer('ticket_id')
      .primaryKey()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    firstResponseDueAt: ts('first_response_due_at').notNull(),
    resolutionDueAt: ts('resolution_due_at').notNull(),
    firstRespondedAt: ts('first_responded_at'),
    firstResponseBreachedAt: ts('first_response_breached_at'),
    resolutionBreachedAt: ts('resolution_breached_at'),
  },
  (t) => [
    // Open clocks by due time (a sweep or a report of what is about to breach).
    index('ticket_sla_resolution_due_idx')
      .on(t.resolutionDueAt)
      .where(sql`${t.resolutionBreachedAt} is null`),
  ],
);

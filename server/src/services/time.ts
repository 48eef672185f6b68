/**
 * Time tracking (SPEC §14): entries of whole minutes on a day, per ticket and person, and one
 * running timer per person (decision 0041). Staff business only: for company people every
 * route here answers 404, as if there were no time at all, and time events go to the staff
 * audience only (realtime/events.ts). Time events write no activity row, since company people
 * read a ticket's activity.
 */
import type { Db, Executor, Tx } from '@laneway/db/client';
import { companies, projects, tickets, timeEntries, timers, users } from '@laneway/db/schema';
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { notFound } from '../lib/errors.ts';
import { pageWindow, type PageParams } from '../lib/pagination.ts';
import {
  authorize,
  canEditTimeEntry,
  canSeeTime,
  canTrackTime,
  canViewReports,
  isStaff,
  type ProjectAccess,
} from '../policy/index.ts';
import type { TimeEntry, TimeEntryChange, Timer, TimeReport } from '../schemas/time.ts';
import { projectTopic, recordEvent } from './changes.ts';
import { requireProjectAccess } from './projects.ts';
import { transact } from './publish.ts';
import { readTicket, requireTicket, type TicketRecord } from './tickets.ts';

type EntryRow = typeof timeEntries.$inferSelect;

function serializeEntry(row: EntryRow): TimeEntry {
  return {
    id: row.id,
    ticket: row.ticketId,
    user: row.userId,
    minutes: row.minutes,
    note: row.note,
    spent_on: row.spentOn,
    created_at: row.createdAt.toISOString(),
  };
}

/** The ticket, if the actor may see its time (company people: 404, as for a hidden ticket). */
async function requireTimeTicket(
  db: Executor,
  actor: Actor,
  ticketId: number,
): Promise<{ ticket: TicketRecord; access: ProjectAccess }> {
  const found = await requireTicket(db, actor, ticketId);
  if (!canSeeTime(found.access)) throw notFound();
  return found;
}

/** A ticket's total minutes (staff only: callers check). */
export async function timeSpent(db: Executor, ticketId: number): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${timeEntries.minutes}), 0)`.mapWith(Number) })
    .from(timeEntries)
    .where(eq(timeEntries.ticketId, ticketId));
  return row?.total ?? 0;
}

/** A ticket's total for the single-ticket read: a number for staff, absent for company people. */
export async function timeSpentFor(db: Executor, access: ProjectAccess, ticketId: number): Promise<number | undefined> {
  return isStaff(access) ? timeSpent(db, ticketId) : undefined;
}

/** A ticket's entries, newest day first. */
export async function listTime(db: Executor, actor: Actor, ticketId: number, page: PageParams) {
  await requireTimeTicket(db, actor, ticketId);
  const { limit, offset } = pageWindow(page);
  const rows = await db
    .select({ row: timeEntries, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(timeEntries)
    .where(eq(timeEntries.ticketId, ticketId))
    .orderBy(desc(timeEntries.spentOn), desc(timeEntries.id))
    .limit(limit)
    .offset(offset);
  return { count: rows[0]?.total ?? 0, results: rows.map((r) => serializeEntry(r.row)) };
}

async function recordTime(
  tx: Tx,
  type: 'time.entry_created' | 'time.entry_updated' | 'time.entry_deleted',
  ticket: TicketRecord,
  entry: TimeEntry,
): Promise<void> {
  const payload: TimeEntryChange = { ...entry, project: ticket.projectId, time_spent: await timeSpent(tx, ticket.id) };
  await recordEvent(tx, projectTopic(ticket.projectId), type, payload);
}

async function insertEntry(
  tx: Tx,
  ticket: TicketRecord,
  userId: number,
  input: { minutes: number; note?: string | undefined; spent_on?: string | undefined },
  today: Date,
): Promise<TimeEntry> {
  const [row] = await tx
    .insert(timeEntries)
    .values({
      ticketId: ticket.id,
      userId,
      minutes: input.minutes,
      note: input.note ?? '',
      spentOn: input.spent_on ?? today.toISOString().slice(0, 10),
    })
    .returning();
  const entry = serializeEntry(row!);
  await recordTime(tx, 'time.entry_created', ticket, entry);
  return entry;
}

/** Logs the actor's own time on a ticket (`spent_on` defaults to today, UTC). */
export async function addTimeEntry(
  db: Db,
  actor: Actor,
  ticketId: number,
  input: { minutes: number; note?: string | undefined; spent_on?: string | undefined },
): Promise<TimeEntry> {
  const { ticket, access } = await requireTimeTicket(db, actor, ticketId);
  authorize(true, canTrackTime(access), 'You may not log time in this project');
  return transact(db, (tx) => insertEntry(tx, ticket, actor.id, input, new Date()));
}

async function requireEditableEntry(db: Executor, actor: Actor, id: number) {
  const [row] = await db.select().from(timeEntries).where(eq(timeEntries.id, id));
  if (!row) throw notFound();
  const { ticket, access } = await requireTimeTicket(db, actor, row.ticketId);
  authorize(true, canEditTimeEntry(access, row.userId), "You may not change another person's time");
  return { row, ticket };
}

/** Corrects an entry: one's own, or anyone's for superadmins and admins. */
export async function updateTimeEntry(
  db: Db,
  actor: Actor,
  id: number,
  patch: { minutes?: number | undefined; note?: string | undefined; spent_on?: string | undefined },
): Promise<TimeEntry> {
  const { row, ticket } = await requireEditableEntry(db, actor, id);
  const values: Partial<typeof timeEntries.$inferInsert> = {};
  if (patch.minutes !== undefined) values.minutes = patch.minutes;
  if (patch.note !== undefined) values.note = patch.note;
  if (patch.spent_on !== undefined) values.spentOn = patch.spent_on;
  if (!Object.keys(values).length) return serializeEntry(row);
  return transact(db, async (tx) => {
    const [updated] = await tx.update(timeEntries).set(values).where(eq(timeEntries.id, id)).returning();
    if (!updated) throw notFound();
    const entry = serializeEntry(updated);
    await recordTime(tx, 'time.entry_updated', ticket, entry);
    return entry;
  });
}

/** Removes an entry: one's own, or anyone's for superadmins and admins. */
export async function deleteTimeEntry(db: Db, actor: Actor, id: number): Promise<void> {
  const { row, ticket } = await requireEditableEntry(db, actor, id);
  await transact(db, async (tx) => {
    const [gone] = await tx.delete(timeEntries).where(eq(timeEntries.id, id)).returning();
    if (gone) await recordTime(tx, 'time.entry_deleted', ticket, serializeEntry(row));
  });
}

// Timers.

/** The actor's running timer with its ticket's key and title, or null. */
export async function myTimer(db: Executor, actor: Actor): Promise<Timer | null> {
  const [row] = await db
    .select({
      ticket: timers.ticketId,
      startedAt: timers.startedAt,
      number: tickets.number,
      title: tickets.title,
      key: projects.key,
    })
    .from(timers)
    .innerJoin(tickets, eq(tickets.id, timers.ticketId))
    .innerJoin(projects, eq(projects.id, tickets.projectId))
    .where(eq(timers.userId, actor.id));
  if (!row) return null;
  return {
    ticket: row.ticket,
    key: `${row.key}-${row.number}`,
    title: row.title,
    started_at: row.startedAt.toISOString(),
  };
}

/** Whole minutes between a timer's start and now, at least one (a timer that ran is time spent). */
export function timerMinutes(startedAt: Date, now: Date): number {
  return Math.max(1, Math.round((now.getTime() - startedAt.getTime()) / 60_000));
}

/**
 * Ends the actor's running timer, wherever it runs, writing its entry on that ticket; null when
 * none runs (or `onlyTicket` is given and it runs elsewhere). The row lock on the timer makes
 * two stops at once write one entry.
 */
async function endTimer(tx: Tx, actor: Actor, now: Date, onlyTicket?: number): Promise<TimeEntry | null> {
  const [gone] = await tx
    .delete(timers)
    .where(and(eq(timers.userId, actor.id), onlyTicket === undefined ? undefined : eq(timers.ticketId, onlyTicket)))
    .returning();
  if (!gone) return null;
  // Read as it now is, even if it left the actor's sight meanwhile: the time was still spent.
  const target = await readTicket(tx, gone.ticketId);
  return insertEntry(tx, target, actor.id, { minutes: timerMinutes(gone.startedAt, now) }, gone.startedAt);
}

/**
 * Starts the actor's timer on a ticket. One runs at a time: a timer running on another ticket
 * is stopped first and its entry written (decision 0041); one already on this ticket keeps
 * running as it is.
 */
export async function startTimer(db: Db, actor: Actor, ticketId: number): Promise<Timer> {
  const { access } = await requireTimeTicket(db, actor, ticketId);
  authorize(true, canTrackTime(access), 'You may not log time in this project');
  await transact(db, async (tx) => {
    const [running] = await tx.select().from(timers).where(eq(timers.userId, actor.id)).for('update');
    if (running?.ticketId === ticketId) return;
    if (running) await endTimer(tx, actor, new Date());
    await tx.insert(timers).values({ userId: actor.id, ticketId }).onConflictDoNothing();
  });
  return (await myTimer(db, actor))!;
}

/** Stops the actor's timer on this ticket and writes its entry (`entry: null` when none ran here). */
export async function stopTimer(db: Db, actor: Actor, ticketId: number): Promise<{ entry: TimeEntry | null }> {
  await requireTimeTicket(db, actor, ticketId);
  return transact(db, async (tx) => ({ entry: await endTimer(tx, actor, new Date(), ticketId) }));
}

// Report.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The first day of a `YYYY-MM` month and of the next, as dates. */
export function monthRange(month: string): { from: string; to: string } {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`bad month ${month}`);
  const year = Number(m[1]);
  const next = Number(m[2]) === 12 ? `${year + 1}-01` : `${year}-${String(Number(m[2]) + 1).padStart(2, '0')}`;
  return { from: `${month}-01`, to: `${next}-01` };
}

/**
 * A project's time in one month by company (the ticket's) and person: for those who read the
 * project's reports (company people: 404; staff without reports: 403).
 */
export async function timeReport(db: Executor, actor: Actor, projectId: number, month: string): Promise<TimeReport> {
  const access = await requireProjectAccess(db, actor, projectId);
  authorize(isStaff(access), canViewReports(access), 'Reports are for managers and up');
  const { from, to } = monthRange(month);
  const rows = await db
    .select({
      company: tickets.companyId,
      companyName: companies.name,
      user: timeEntries.userId,
      userName: sql<string | null>`coalesce(nullif(${users.name}, ''), ${users.username})`,
      minutes: sql<number>`sum(${timeEntries.minutes})`.mapWith(Number),
    })
    .from(timeEntries)
    .innerJoin(tickets, eq(tickets.id, timeEntries.ticketId))
    .leftJoin(companies, eq(companies.id, tickets.companyId))
    .leftJoin(users, eq(users.id, timeEntries.userId))
    .where(and(eq(tickets.projectId, projectId), gte(timeEntries.spentOn, from), lt(timeEntries.spentOn, to)))
    .groupBy(tickets.companyId, companies.name, timeEntries.userId, users.name, users.username)
    .orderBy(asc(companies.name), asc(users.username));
  return {
    month,
    total: rows.reduce((sum, r) => sum + r.minutes, 0),
    rows: rows.map((r) => ({
      company: r.company,
      company_name: r.companyName,
      user: r.user,
      user_name: r.userName,
      minutes: r.minutes,
    })),
  };
}

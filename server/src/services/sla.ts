/**
 * SLA clocks (SPEC §14, decision 0029). A project has targets (business minutes to the first
 * staff response and to resolution, per priority and optionally per company) and a calendar
 * (business hours; none: around the clock). A ticket born under a target gets its two due
 * instants (`ticket_sla`) and one `sla_check` job per clock, run at the due instant with a job
 * key per ticket and clock. The job re-reads the state and stamps the breach under a guard, so
 * a retried or rescheduled job never breaches twice. The first staff chat message stops the
 * first clock (`markFirstResponse`, from the chat service); a done column stops the second for
 * as long as the ticket is done; reopening resumes it against the same due instant, and the
 * minute sweep (`sweepDueClocks`) then finds it if that instant has passed.
 */
import type { Db, Executor, Tx } from '@laneway/db/client';
import { businessHours, projects, slaTargets, ticketSla, tickets } from '@laneway/db/schema';
import { TASKS } from '@laneway/db/tasks';
import { and, asc, desc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Actor } from '../lib/actor.ts';
import { addBusinessMinutes, hhmm, minuteOfDay, type Calendar } from '../lib/business-hours.ts';
import { notFound } from '../lib/errors.ts';
import type { BusinessHours, SlaBreach, SlaTarget } from '../schemas/sla.ts';
import { projectTopic, recordEvent } from './changes.ts';
import { enqueue } from './jobs.ts';
import { storeNotifications } from './notifications.ts';
import { requireProjectManager } from './projects.ts';
import { transact } from './publish.ts';

export type Clock = SlaBreach['clock'];

type TargetRow = typeof slaTargets.$inferSelect;

const serializeTarget = (t: TargetRow): SlaTarget => ({
  id: t.id,
  project: t.projectId,
  priority_id: t.priorityId,
  company: t.companyId,
  first_response_minutes: t.firstResponseMinutes,
  resolution_minutes: t.resolutionMinutes,
});

/** A project's calendar, or null for around the clock. */
export async function projectCalendar(db: Executor, projectId: number): Promise<Calendar | null> {
  const [row] = await db.select().from(businessHours).where(eq(businessHours.projectId, projectId));
  return row
    ? {
        timezone: row.timezone,
        days: row.days,
        startMinute: row.startMinute,
        endMinute: row.endMinute,
        holidays: row.holidays,
      }
    : null;
}

function calendarJson(c: Calendar | null): BusinessHours | null {
  return c
    ? {
        timezone: c.timezone,
        days: [...c.days],
        start: hhmm(c.startMinute),
        end: hhmm(c.endMinute),
        holidays: [...c.holidays],
      }
    : null;
}

/** A project's calendar and targets (superadmins). */
export async function getSlaSettings(db: Executor, actor: Actor, projectId: number) {
  await requireProjectManager(db, actor, projectId, 'SLA settings are for superadmins');
  const [calendar, targets] = await Promise.all([
    projectCalendar(db, projectId),
    db
      .select()
      .from(slaTargets)
      .where(eq(slaTargets.projectId, projectId))
      .orderBy(asc(slaTargets.priorityId), asc(slaTargets.companyId)),
  ]);
  return { business_hours: calendarJson(calendar), targets: targets.map(serializeTarget) };
}

/** Adds a target (one per priority and company; a second for the same pair is a 409). */
export async function addSlaTarget(
  db: Db,
  actor: Actor,
  projectId: number,
  input: {
    priority_id?: number | null | undefined;
    company?: number | null | undefined;
    first_response_minutes: number;
    resolution_minutes: number;
  },
): Promise<SlaTarget> {
  await requireProjectManager(db, actor, projectId, 'SLA settings are for superadmins');
  const [row] = await db
    .insert(slaTargets)
    .values({
      projectId,
      priorityId: input.priority_id ?? null,
      companyId: input.company ?? null,
      firstResponseMinutes: input.first_response_minutes,
      resolutionMinutes: input.resolution_minutes,
    })
    .returning();
  return serializeTarget(row!);
}

/** Removes a target; tickets already running under it keep their due instants. */
export async function deleteSlaTarget(db: Db, actor: Actor, id: number): Promise<void> {
  const [row] = await db.select().from(slaTargets).where(eq(slaTargets.id, id));
  if (!row) throw notFound();
  await requireProjectManager(db, actor, row.projectId, 'SLA settings are for superadmins');
  await db.delete(slaTargets).where(eq(slaTargets.id, id));
}

/** Sets a project's business hours (applies to tickets born from now on). */
export async function putBusinessHours(
  db: Db,
  actor: Actor,
  projectId: number,
  input: BusinessHours,
): Promise<BusinessHours> {
  await requireProjectManager(db, actor, projectId, 'SLA settings are for superadmins');
  const values = {
    timezone: input.timezone,
    days: [...new Set(input.days)].sort(),
    startMinute: minuteOfDay(input.start),
    endMinute: minuteOfDay(input.end),
    holidays: [...new Set(input.holidays)].sort(),
  };
  await db
    .insert(businessHours)
    .values({ projectId, ...values })
    .onConflictDoUpdate({ target: businessHours.projectId, set: values });
  return calendarJson(values)!;
}

/** The job key of a ticket's clock: one pending check per ticket and clock. */
export const slaJobKey = (ticketId: number, clock: Clock) => `sla:${ticketId}:${clock}`;

/**
 * Starts a new ticket's clocks, in its creating transaction: the most specific target (a
 * company's over any company's, a priority's over any priority's) fixes both due instants, and
 * one check per clock is queued for its due instant. No target: no clocks.
 */
export async function startClocks(
  tx: Tx,
  ticket: { id: number; projectId: number; priorityId: number; companyId: number | null; createdAt: Date },
): Promise<void> {
  const [target] = await tx
    .select()
    .from(slaTargets)
    .where(
      and(
        eq(slaTargets.projectId, ticket.projectId),
        or(isNull(slaTargets.priorityId), eq(slaTargets.priorityId, ticket.priorityId)),
        ticket.companyId === null
          ? isNull(slaTargets.companyId)
          : or(isNull(slaTargets.companyId), eq(slaTargets.companyId, ticket.companyId)),
      ),
    )
    .orderBy(desc(sql`${slaTargets.companyId} is not null`), desc(sql`${slaTargets.priorityId} is not null`))
    .limit(1);
  if (!target) return;
  const calendar = await projectCalendar(tx, ticket.projectId);
  const firstDue = addBusinessMinutes(ticket.createdAt, target.firstResponseMinutes, calendar);
  const resolutionDue = addBusinessMinutes(ticket.createdAt, target.resolutionMinutes, calendar);
  await tx
    .insert(ticketSla)
    .values({ ticketId: ticket.id, firstResponseDueAt: firstDue, resolutionDueAt: resolutionDue });
  await scheduleCheck(tx, ticket.id, 'first_response', firstDue);
  await scheduleCheck(tx, ticket.id, 'resolution', resolutionDue);
}

/** Queues the check of one clock at its due instant (replacing a pending one of the same key). */
export function scheduleCheck(db: Executor, ticketId: number, clock: Clock, dueAt: Date): Promise<void> {
  return enqueue(db, TASKS.slaCheck, { ticket: ticketId, clock }, { runAt: dueAt, jobKey: slaJobKey(ticketId, clock) });
}

/** The first staff message in a ticket's chat stops its first-response clock (once). */
export async function markFirstResponse(tx: Executor, ticketId: number, at: Date = new Date()): Promise<void> {
  await tx
    .update(ticketSla)
    .set({ firstRespondedAt: at })
    .where(and(eq(ticketSla.ticketId, ticketId), isNull(ticketSla.firstRespondedAt)));
}

/**
 * The breach check of one clock (the `sla_check` task): re-reads the clock under a row lock and
 * breaches only if it is still running and past due, stamping `*_breached_at` so it happens
 * once; then the `ticket.sla_breached` event and notifications to the assignees and the
 * project's superadmins and admins, in the same transaction. Returns whether it breached.
 */
export async function checkClock(db: Db, ticketId: number, clock: Clock, now: Date = new Date()): Promise<boolean> {
  return transact(db, async (tx) => {
    const [row] = await tx
      .select({
        sla: ticketSla,
        projectId: tickets.projectId,
        companyId: tickets.companyId,
        number: tickets.number,
        title: tickets.title,
        status: tickets.status,
        key: projects.key,
        assignees: sql<number[]>`coalesce((select array_agg(a.user_id order by a.user_id)
          from ticket_assignees a where a.ticket_id = ${tickets.id}), '{}'::int[])`,
      })
      .from(ticketSla)
      .innerJoin(tickets, eq(tickets.id, ticketSla.ticketId))
      .innerJoin(projects, eq(projects.id, tickets.projectId))
      .where(eq(ticketSla.ticketId, ticketId))
      .for('update', { of: ticketSla });
    if (!row) return false;
    const { sla } = row;
    const due = clock === 'first_response' ? sla.firstResponseDueAt : sla.resolutionDueAt;
    const stopped =
      clock === 'first_response'
        ? sla.firstRespondedAt !== null || sla.firstResponseBreachedAt !== null
        : row.status === 'done' || sla.resolutionBreachedAt !== null;
    if (stopped) return false;
    // Run early (a clock rescheduled later while this job waited): check again when due.
    if (due > now) {
      await scheduleCheck(tx, ticketId, clock, due);
      return false;
    }
    const stamped = await tx
      .update(ticketSla)
      .set(clock === 'first_response' ? { firstResponseBreachedAt: now } : { resolutionBreachedAt: now })
      .where(
        and(
          eq(ticketSla.ticketId, ticketId),
          clock === 'first_response'
            ? isNull(ticketSla.firstResponseBreachedAt)
            : isNull(ticketSla.resolutionBreachedAt),
        ),
      )
      .returning({ id: ticketSla.ticketId });
    if (!stamped.length) return false;
    const key = `${row.key}-${row.number}`;
    const breach: SlaBreach = {
      ticket: ticketId,
      key,
      project: row.projectId,
      company: row.companyId,
      clock,
      due_at: due.toISOString(),
      assignees: row.assignees,
    };
    await recordEvent(tx, projectTopic(row.projectId), 'ticket.sla_breached', breach);
    const admins = await tx.execute<{ user_id: number }>(sql`
      select r.user_id from user_roles r join users u on u.id = r.user_id
      where r.project_id = ${row.projectId} and r.role in ('superadmin', 'admin') and u.is_active`);
    const people = [...new Set([...row.assignees, ...admins.map((a) => a.user_id)])];
    await storeNotifications(
      tx,
      people.map((userId) => ({ userId, kind: 'sla_breached' as const })),
      null,
      ticketId,
      { ticket_key: key, title: row.title, project: row.projectId, clock, due_at: breach.due_at },
    );
    return true;
  });
}

/**
 * Clocks past due and not breached whose check is not pending: a resolution clock of a ticket
 * reopened after its due instant (its check found it done), or a job lost with a restored
 * backup. Queues their checks now; the job key keeps one per clock. Run every minute.
 */
export async function sweepDueClocks(db: Db, now: Date = new Date()): Promise<number> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const due = await db
    .select({
      ticketId: ticketSla.ticketId,
      first: sql<boolean>`${ticketSla.firstRespondedAt} is null and ${ticketSla.firstResponseBreachedAt} is null
        and ${ticketSla.firstResponseDueAt} <= ${at}`,
      resolution: sql<boolean>`${tickets.status} <> 'done' and ${ticketSla.resolutionBreachedAt} is null
        and ${ticketSla.resolutionDueAt} <= ${at}`,
    })
    .from(ticketSla)
    .innerJoin(tickets, eq(tickets.id, ticketSla.ticketId))
    .where(
      and(
        eq(tickets.isArchived, false),
        or(
          and(
            isNull(ticketSla.firstRespondedAt),
            isNull(ticketSla.firstResponseBreachedAt),
            lte(ticketSla.firstResponseDueAt, now),
          ),
          and(
            sql`${tickets.status} <> 'done'`,
            isNull(ticketSla.resolutionBreachedAt),
            lte(ticketSla.resolutionDueAt, now),
          ),
        ),
        // Leave a clock alone while its own check is still pending.
        sql`not exists (select 1 from graphile_worker.jobs j where j.key in
          ('sla:' || ${ticketSla.ticketId} || ':first_response', 'sla:' || ${ticketSla.ticketId} || ':resolution'))`,
      ),
    )
    .limit(500);
  for (const row of due) {
    if (row.first) await scheduleCheck(db, row.ticketId, 'first_response', now);
    if (row.resolution) await scheduleCheck(db, row.ticketId, 'resolution', now);
  }
  return due.length;
}
